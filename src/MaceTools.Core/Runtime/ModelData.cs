using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using MaceTools.Conversion;
using MaceTools.Formats;

namespace MaceTools.Runtime
{
    /// <summary>A named tensor's values in ONNX order (NCHW for 4-D tensors): a model input or output.</summary>
    public sealed class MaceTensor
    {
        public MaceTensor(string name, int[] shape, float[] data)
        {
            Name = name;
            Shape = shape;
            Data = data;
        }

        public string Name { get; }
        public int[] Shape { get; }
        public float[] Data { get; }

        /// <summary>The name and shape, and the values of a small tensor (a classifier's scores).</summary>
        public override string ToString() => $"{Name} [{string.Join(", ", Shape)}]" +
            (Data.Length <= 8 ? " = [" + string.Join(", ", Data.Select(v => v.ToString("G6", CultureInfo.InvariantCulture))) + "]" : "");
    }

    /// <summary>
    /// Model inputs and outputs on the host: MACE's raw little-endian float32 files (validation_inputs_data,
    /// --input_file), NumPy .npy files, seeded random values in the deployment file's input_ranges; the NCHW ↔ NHWC
    /// reorderings between ONNX's order and MACE's images.
    /// </summary>
    public static class ModelData
    {
        /// <summary>MACE's default input range when the deployment file gives none (tools/python/validate.py: -1 to 1).</summary>
        public static readonly double[] DefaultRange = { -1, 1 };

        /// <summary>
        /// One input's values from a file: <c>.npy</c> (float32, C order, the input's element count) or raw little-endian
        /// float32 (exactly the input's size). A wrong size, dtype or a NaN/∞ value is an error naming the input and its shape.
        /// </summary>
        public static MaceTensor Read(string path, ModelTensor input)
        {
            var bytes = InputGate.ReadAll(path, InputKind.Model);
            float[] data = path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) || IsNpy(bytes) ? ReadNpy(bytes, path, input) : ReadRaw(bytes, path, input);
            Check(data, path, input);
            return new MaceTensor(input.Name, input.Shape, data);
        }

        /// <summary>Seeded uniform values in [lo, hi) for an input (MACE's gen_input_file draws uniformly in input_ranges).</summary>
        public static MaceTensor Random(ModelTensor input, double[]? range, int seed)
        {
            var r = range != null && range.Length == 2 ? range : DefaultRange;
            var rng = new Random(seed);
            var data = new float[input.Count];
            for (int i = 0; i < data.Length; i++) data[i] = (float)(r[0] + rng.NextDouble() * (r[1] - r[0]));
            return new MaceTensor(input.Name, input.Shape, data);
        }

        /// <summary>
        /// One random sample for every input of a model: input i drawn in <paramref name="ranges"/>[i] (the yml's
        /// input_ranges; MACE's default where it has none) with seed <paramref name="seed"/> + i.
        /// </summary>
        public static List<MaceTensor> RandomSample(IReadOnlyList<ModelTensor> inputs, double[][]? ranges, int seed) =>
            inputs.Select((t, i) => Random(t, ranges != null && i < ranges.Length ? ranges[i] : null, seed + i)).ToList();

        /// <summary>Rejects values no model input can hold (NaN, ±∞): MACE would run them and compare garbage.</summary>
        public static void Check(float[] data, string source, ModelTensor input)
        {
            for (int i = 0; i < data.Length; i++)
                if (float.IsNaN(data[i]) || float.IsInfinity(data[i]))
                    throw Damaged(source, input, $"value {i} is {data[i].ToString(CultureInfo.InvariantCulture)}");
        }

        private static MaceException Damaged(string source, ModelTensor input, string what) =>
            new MaceException(ErrorIds.InvalidInput, MaceErrorCategory.InvalidData,
                $"{source}: input '{input.Name}' (float32 [{string.Join(", ", input.Shape)}], {input.Count} values): {what}", source);

        private static float[] ReadRaw(byte[] bytes, string path, ModelTensor input)
        {
            if (bytes.LongLength != input.Count * 4)
                throw Damaged(path, input, $"the file has {bytes.LongLength} bytes, expected {input.Count * 4} (raw little-endian float32)");
            return FromBytes(bytes, 0, (int)input.Count);
        }

        private static bool IsNpy(byte[] b) => b.Length >= 10 && b[0] == 0x93 && b[1] == (byte)'N' && b[2] == (byte)'U' && b[3] == (byte)'M' && b[4] == (byte)'P' && b[5] == (byte)'Y';

        /// <summary>NumPy's format 1.0–3.0: magic, version, header length, a Python dict literal, then the data.</summary>
        private static float[] ReadNpy(byte[] b, string path, ModelTensor input)
        {
            if (!IsNpy(b)) throw Damaged(path, input, "not a NumPy .npy file (no \\x93NUMPY magic)");
            int major = b[6];
            int headerLength, offset;
            if (major == 1) { headerLength = b[8] | b[9] << 8; offset = 10; }
            else if (b.Length >= 12) { headerLength = BitConverter.ToInt32(b, 8); offset = 12; }
            else throw Damaged(path, input, "the .npy header is cut short");
            if (headerLength < 0 || offset + headerLength > b.Length) throw Damaged(path, input, "the .npy header is cut short");
            string header = Encoding.ASCII.GetString(b, offset, headerLength);
            string descr = Field(header, "descr");
            if (descr != "'<f4'" && descr != "'f4'" && descr != "'=f4'")
                throw Damaged(path, input, $"dtype {descr.Trim('\'')}; MACE's inputs are little-endian float32 ('<f4')");
            if (Field(header, "fortran_order") != "False") throw Damaged(path, input, "Fortran order; save it in C order (np.ascontiguousarray)");
            string shapeText = Field(header, "shape").Trim('(', ')');
            var shape = shapeText.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(s => long.Parse(s.Trim(), CultureInfo.InvariantCulture)).ToArray();
            long count = shape.Aggregate(1L, (x, y) => x * y);
            int data = offset + headerLength;
            if (count != input.Count || b.LongLength - data != count * 4)
                throw Damaged(path, input, $"the array is ({string.Join(", ", shape)}) with {(b.LongLength - data) / 4} values");
            return FromBytes(b, data, (int)count);
        }

        private static string Field(string header, string key)
        {
            int k = header.IndexOf("'" + key + "'", StringComparison.Ordinal);
            if (k < 0) return "";
            int colon = header.IndexOf(':', k);
            int i = colon + 1;
            while (i < header.Length && header[i] == ' ') i++;
            int end = header[i] == '(' ? header.IndexOf(')', i) + 1 : header.IndexOfAny(new[] { ',', '}' }, i);
            return header.Substring(i, Math.Max(0, end - i)).Trim();
        }

        /// <summary>Little-endian float32 bytes → floats.</summary>
        public static float[] FromBytes(byte[] bytes, int offset, int count)
        {
            var data = new float[count];
            if (BitConverter.IsLittleEndian) Buffer.BlockCopy(bytes, offset, data, 0, count * 4);
            else
                for (int i = 0; i < count; i++)
                {
                    var w = new byte[4];
                    Array.Copy(bytes, offset + i * 4, w, 0, 4);
                    Array.Reverse(w);
                    data[i] = BitConverter.ToSingle(w, 0);
                }
            return data;
        }

        /// <summary>Floats → little-endian float32 bytes (MACE's raw files).</summary>
        public static byte[] ToBytes(float[] data)
        {
            var bytes = new byte[data.Length * 4L];
            Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
            if (!BitConverter.IsLittleEndian)
                for (int i = 0; i < bytes.Length; i += 4) Array.Reverse(bytes, i, 4);
            return bytes;
        }

        /// <summary>Appends floats to a stream as little-endian float32.</summary>
        internal static void Write(Stream s, float[] data)
        {
            var bytes = ToBytes(data);
            s.Write(bytes, 0, bytes.Length);
        }

        /// <summary>Reads <paramref name="count"/> floats from a stream.</summary>
        internal static float[] Read(Stream s, long count)
        {
            var bytes = new byte[count * 4];
            int at = 0;
            while (at < bytes.Length)
            {
                int n = s.Read(bytes, at, bytes.Length - at);
                if (n <= 0) throw new EndOfStreamException($"expected {count} floats");
                at += n;
            }
            return FromBytes(bytes, 0, (int)count);
        }

        /// <summary>The NHWC image shape MACE gives a tensor of ONNX shape <paramref name="s"/> (as the converter does).</summary>
        public static int[] Nhwc(int[] s) => s.Length switch
        {
            4 => new[] { s[0], s[2], s[3], s[1] },
            3 => new[] { 1, s[1], s[2], s[0] },
            2 => new[] { s[0], 1, 1, s[1] },
            1 => new[] { 1, 1, 1, s[0] },
            _ => new[] { 1, 1, 1, 1 },
        };

        /// <summary>ONNX-ordered values → the NHWC order of MACE's buffers (NCHW, or CHW as one batch; other ranks as they are).</summary>
        public static float[] ToNhwc(float[] data, int[] shape) =>
            shape.Length != 4 && shape.Length != 3 ? data : CpuOps.Transpose(Nchw(shape), data, new[] { 0, 2, 3, 1 }, out _);

        /// <summary>NHWC values (a MACE buffer or unpacked image) → ONNX order for a tensor of ONNX shape <paramref name="shape"/>.</summary>
        public static float[] ToOnnx(float[] nhwc, int[] shape)
        {
            if (shape.Length != 4 && shape.Length != 3) return nhwc;
            var s = Nchw(shape);
            return CpuOps.Transpose(new[] { s[0], s[2], s[3], s[1] }, nhwc, new[] { 0, 3, 1, 2 }, out _);
        }

        private static int[] Nchw(int[] shape) => shape.Length == 4 ? shape : new[] { 1, shape[0], shape[1], shape[2] };

        /// <summary>Writes a tensor as MACE's raw little-endian float32 file, atomically.</summary>
        public static void WriteRaw(string path, float[] data) => FileIO.WriteAtomic(path, s => Write(s, data), overwrite: true);
    }
}
