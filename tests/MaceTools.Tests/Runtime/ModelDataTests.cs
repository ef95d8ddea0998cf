using System;
using System.IO;
using System.Linq;
using System.Text;
using MaceTools.Conversion;
using MaceTools.Runtime;
using MaceTools.Tests.Operations;
using Xunit;

namespace MaceTools.Tests.Runtime
{
    /// <summary>Model inputs from MACE's raw float32 files and NumPy .npy files, and the errors damaged ones give.</summary>
    public class ModelDataTests
    {
        private static readonly ModelTensor X = new ModelTensor("x", new[] { 1, 3, 2, 2 });

        private static byte[] Npy(string descr, string shape, byte[] data, bool fortran = false)
        {
            string header = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
            int pad = 16 - (10 + header.Length + 1) % 16;
            header = header + new string(' ', pad % 16) + "\n";
            var b = new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, (byte)(header.Length >> 8) };
            return b.Concat(Encoding.ASCII.GetBytes(header)).Concat(data).ToArray();
        }

        private static float[] Values => Enumerable.Range(0, 12).Select(i => i * 0.5f - 2).ToArray();

        [Fact]
        public void A_raw_float32_file_and_an_npy_file_of_the_same_values_read_alike()
        {
            using var tmp = new TempDir();
            File.WriteAllBytes(tmp.File("x.raw"), ModelData.ToBytes(Values));
            File.WriteAllBytes(tmp.File("x.npy"), Npy("<f4", "(1, 3, 2, 2)", ModelData.ToBytes(Values)));
            Assert.Equal(Values, ModelData.Read(tmp.File("x.raw"), X).Data);
            Assert.Equal(Values, ModelData.Read(tmp.File("x.npy"), X).Data);
        }

        [Theory]
        [InlineData("short.raw", "44 bytes, expected 48")]
        [InlineData("f8.npy", "dtype <f8")]
        [InlineData("shape.npy", "(1, 3, 2)")]
        [InlineData("fortran.npy", "Fortran order")]
        [InlineData("nan.raw", "value 5 is NaN")]
        public void A_damaged_input_is_an_error_that_names_the_input_and_its_shape(string file, string detail)
        {
            using var tmp = new TempDir();
            var nan = Values.ToArray();
            nan[5] = float.NaN;
            var content = file switch
            {
                "short.raw" => ModelData.ToBytes(Values.Take(11).ToArray()),
                "f8.npy" => Npy("<f8", "(1, 3, 2, 2)", new byte[96]),
                "shape.npy" => Npy("<f4", "(1, 3, 2)", ModelData.ToBytes(Values.Take(6).ToArray())),
                "fortran.npy" => Npy("<f4", "(1, 3, 2, 2)", ModelData.ToBytes(Values), fortran: true),
                _ => ModelData.ToBytes(nan),
            };
            File.WriteAllBytes(tmp.File(file), content);
            var e = Assert.Throws<MaceException>(() => ModelData.Read(tmp.File(file), X));
            Assert.Equal(ErrorIds.InvalidInput, e.ErrorId);
            Assert.Contains("input 'x' (float32 [1, 3, 2, 2], 12 values)", e.Message);
            Assert.Contains(detail, e.Message);
            Assert.Contains(file, e.Message);
        }

        [Fact]
        public void Seeded_random_inputs_repeat_and_stay_in_the_range()
        {
            var a = ModelData.Random(X, new[] { 0.0, 255.0 }, 3);
            Assert.Equal(a.Data, ModelData.Random(X, new[] { 0.0, 255.0 }, 3).Data);
            Assert.NotEqual(a.Data, ModelData.Random(X, new[] { 0.0, 255.0 }, 4).Data);
            Assert.All(a.Data, v => Assert.InRange(v, 0f, 255f));
        }

        [Fact]
        public void NCHW_to_NHWC_and_back_is_the_identity_and_moves_channels_last()
        {
            var nhwc = ModelData.ToNhwc(Values, X.Shape);
            Assert.Equal(new[] { Values[0], Values[4], Values[8] }, nhwc.Take(3));
            Assert.Equal(Values, ModelData.ToOnnx(nhwc, X.Shape));
        }
    }
}
