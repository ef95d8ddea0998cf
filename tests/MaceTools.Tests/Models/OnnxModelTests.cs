using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf;
using MaceTools.Models.Onnx;
using MaceTools.Models.Onnx.Proto;

namespace MaceTools.Tests.Models
{
    /// <summary>The ONNX reader against the ONNX project's own node tests (libonnx-testdata) and against broken files.</summary>
    public sealed class OnnxModelTests : IDisposable
    {
        private readonly string _temp = Path.Combine(Path.GetTempPath(), "macetools-onnx-" + Guid.NewGuid().ToString("N").Substring(0, 10));

        public OnnxModelTests() => Directory.CreateDirectory(_temp);

        public void Dispose()
        {
            try { Directory.Delete(_temp, true); } catch (IOException) { }
        }

        private string Temp(string name, byte[] bytes)
        {
            string path = Path.Combine(_temp, name);
            File.WriteAllBytes(path, bytes);
            return path;
        }

        private static string ModelPath(string testCase) => Path.Combine(OnnxTestData.CaseDirectory(testCase), "model.onnx");

        // ---- libonnx-testdata ----

        [Fact]
        public void ConvWithStridesPadding_NodeAttributesShapesAndValues()
        {
            var c = OnnxNodeCase.Load("test_conv_with_strides_padding");
            Assert.Equal("Conv", c.OpType);
            Assert.True(c.Opset >= 1);
            Assert.Equal(new long[] { 2, 2 }, c.Node.GetInts("strides"));
            Assert.Equal(new long[] { 1, 1, 1, 1 }, c.Node.GetInts("pads"));
            Assert.Equal(new long[] { 3, 3 }, c.Node.GetInts("kernel_shape"));
            Assert.Equal(OnnxAttributeType.Ints, c.Attributes["strides"].Type);
            Assert.Null(c.Node.GetInts("dilations"));
            Assert.Equal(1, c.Node.GetInt("group", 1));

            Assert.Equal(new[] { "x", "W" }, c.Inputs.Select(i => i.Name));
            Assert.Equal(new long[] { 1, 1, 7, 5 }, c.Inputs[0].Dims);
            Assert.Equal(new long[] { 1, 1, 3, 3 }, c.Inputs[1].Dims);
            Assert.Equal(35, c.Inputs[0].Data.Length);
            Assert.Single(c.Outputs);
            Assert.Equal(new long[] { 1, 1, 4, 3 }, c.Outputs[0].Dims);

            // The graph's typed inputs and outputs.
            var g = c.Model.Graph;
            Assert.Equal(new long[] { 1, 1, 7, 5 }, g.Inputs.Single(i => i.Name == "x").Shape);
            Assert.Equal(OnnxDataType.Float, g.Inputs[0].ElementType);
            Assert.Equal(new long[] { 1, 1, 4, 3 }, g.Outputs[0].Shape);

            // The decoded values agree with the ONNX reference output: a direct convolution of the decoded inputs.
            float[] x = c.Inputs[0].Data, w = c.Inputs[1].Data, y = c.Outputs[0].Data;
            var expected = new float[12];
            for (int oy = 0; oy < 4; oy++)
                for (int ox = 0; ox < 3; ox++)
                {
                    float s = 0;
                    for (int ky = 0; ky < 3; ky++)
                        for (int kx = 0; kx < 3; kx++)
                        {
                            int iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
                            if (iy >= 0 && iy < 7 && ix >= 0 && ix < 5) s += x[iy * 5 + ix] * w[ky * 3 + kx];
                        }
                    expected[oy * 3 + ox] = s;
                }
            AssertClose(expected, y, 1e-5f);
        }

        [Fact]
        public void SoftmaxAxis1_AttributeAndReference()
        {
            var c = OnnxNodeCase.Load("test_softmax_axis_1");
            Assert.Equal("Softmax", c.OpType);
            Assert.Equal(1, c.Node.GetInt("axis", -1));
            Assert.Equal(new long[] { 3, 4, 5 }, c.Inputs[0].Dims);
            Assert.Equal(new long[] { 3, 4, 5 }, c.Outputs[0].Dims);

            // Opset 13 normalizes along axis 1 only; before, over the input flattened to [3, 20].
            float[] x = c.Inputs[0].Data;
            var expected = new float[60];
            bool perAxis = c.Opset >= 13;
            for (int n = 0; n < 3; n++)
                for (int k = 0; k < (perAxis ? 5 : 1); k++)
                {
                    var idx = perAxis ? Enumerable.Range(0, 4).Select(j => n * 20 + j * 5 + k).ToArray() : Enumerable.Range(n * 20, 20).ToArray();
                    double max = idx.Max(i => x[i]);
                    double sum = idx.Sum(i => Math.Exp(x[i] - max));
                    foreach (int i in idx) expected[i] = (float)(Math.Exp(x[i] - max) / sum);
                }
            AssertClose(expected, c.Outputs[0].Data, 1e-5f);
        }

        [Fact]
        public void GemmAllAttributes_FloatAndIntAttributes()
        {
            var c = OnnxNodeCase.Load("test_gemm_all_attributes");
            Assert.Equal("Gemm", c.OpType);
            Assert.Equal(0.25f, c.Node.GetFloat("alpha", 1));
            Assert.Equal(0.35f, c.Node.GetFloat("beta", 1));
            Assert.Equal(OnnxAttributeType.Float, c.Attributes["alpha"].Type);
            Assert.Equal(1, c.Node.GetInt("transA", 0));
            Assert.Equal(1, c.Node.GetInt("transB", 0));
            Assert.Equal(new[] { "a", "b", "c" }, c.Inputs.Select(i => i.Name));
            Assert.Equal(new long[] { 4, 3 }, c.Inputs[0].Dims);
            Assert.Equal(new long[] { 5, 4 }, c.Inputs[1].Dims);
            Assert.Equal(new long[] { 1, 5 }, c.Inputs[2].Dims);
            Assert.Equal(new long[] { 3, 5 }, c.Outputs[0].Dims);

            // y = 0.25 * A^T B^T + 0.35 * C (C broadcast over the rows).
            float[] a = c.Inputs[0].Data, b = c.Inputs[1].Data, cc = c.Inputs[2].Data;
            var expected = new float[15];
            for (int m = 0; m < 3; m++)
                for (int n = 0; n < 5; n++)
                {
                    float s = 0;
                    for (int k = 0; k < 4; k++) s += a[k * 3 + m] * b[n * 4 + k];
                    expected[m * 5 + n] = 0.25f * s + 0.35f * cc[n];
                }
            AssertClose(expected, c.Outputs[0].Data, 1e-5f);

            // Typed accessors refuse the wrong kind and name the node and the file.
            var e = Assert.Throws<MaceException>(() => c.Node.GetInts("alpha"));
            Assert.Equal(ErrorIds.KindMismatch, e.ErrorId);
            Assert.Contains("alpha", e.Message);
            Assert.Contains("FLOAT", e.Message);
            Assert.Contains(c.Model.Path, e.Message);
        }

        [Fact]
        public void AveragePool2dPadsCountIncludePad_AttributesAndReference()
        {
            var c = OnnxNodeCase.Load("test_averagepool_2d_pads_count_include_pad");
            Assert.Equal("AveragePool", c.OpType);
            Assert.Equal(1, c.Node.GetInt("count_include_pad", 0));
            Assert.Equal(new long[] { 3, 3 }, c.Node.GetInts("kernel_shape"));
            Assert.Equal(new long[] { 2, 2, 2, 2 }, c.Node.GetInts("pads"));
            Assert.Null(c.Node.GetInts("strides"));
            Assert.Equal(new long[] { 1, 3, 28, 28 }, c.Inputs[0].Dims);
            Assert.Equal(new long[] { 1, 3, 30, 30 }, c.Outputs[0].Dims);

            float[] x = c.Inputs[0].Data;
            var expected = new float[3 * 30 * 30];
            for (int ch = 0; ch < 3; ch++)
                for (int oy = 0; oy < 30; oy++)
                    for (int ox = 0; ox < 30; ox++)
                    {
                        float s = 0;
                        for (int ky = 0; ky < 3; ky++)
                            for (int kx = 0; kx < 3; kx++)
                            {
                                int iy = oy - 2 + ky, ix = ox - 2 + kx;
                                if (iy >= 0 && iy < 28 && ix >= 0 && ix < 28) s += x[ch * 784 + iy * 28 + ix];
                            }
                        expected[ch * 900 + oy * 30 + ox] = s / 9;
                    }
            AssertClose(expected, c.Outputs[0].Data, 1e-5f);
        }

        [Fact]
        public void NodeCase_OmittedOptionalInputKeepsItsPosition()
        {
            // Clip(x, "", max): the omitted min stays a placeholder so positions match the operator's inputs.
            var c = OnnxNodeCase.Load("test_clip_default_max");
            Assert.Equal("Clip", c.OpType);
            Assert.Equal(3, c.Inputs.Count);
            Assert.False(c.Inputs[0].Omitted);
            Assert.True(c.Inputs[1].Omitted);
            Assert.Empty(c.Inputs[1].Data);
            Assert.False(c.Inputs[2].Omitted);
            Assert.Empty(c.Inputs[2].Dims); // a scalar
            Assert.Single(c.Inputs[2].Data);
        }

        [Fact]
        public void NodeCase_Int64InputsConvert()
        {
            // Reshape's shape input is INT64.
            var c = OnnxNodeCase.Load("test_reshape_reduced_dims");
            Assert.Equal(OnnxDataType.Int64, c.Inputs[1].Tensor!.DataType);
            Assert.Equal(new long[] { 2, 12 }, c.Inputs[1].Tensor!.ToInt64s());
            Assert.Equal(new float[] { 2, 12 }, c.Inputs[1].Data);
        }

        [Fact]
        public void EveryNodeTestModelLoads()
        {
            var cases = OnnxTestData.Cases();
            Assert.True(cases.Count > 100, $"only {cases.Count} cases under {OnnxTestData.Root}");
            foreach (string name in cases)
            {
                var model = OnnxModel.Load(ModelPath(name));
                Assert.NotEmpty(model.Graph.Nodes);
                Assert.All(model.Graph.Nodes, n => Assert.False(string.IsNullOrEmpty(n.OpType)));
                foreach (var a in model.Graph.Nodes.SelectMany(n => n.Attributes.Values))
                    Assert.NotEqual(OnnxAttributeType.Undefined, a.Type);
            }
        }

        [Fact]
        public void TestDataCaseLoaderNeedsThePackage()
        {
            // Without the package the helper fails with the install command (no skip); the root here stands in for
            // a machine without libonnx-testdata, since the process environment is shared by parallel tests.
            var e = Assert.Throws<DirectoryNotFoundException>(() => OnnxTestData.CaseDirectory("test_relu", Path.Combine(_temp, "nowhere")));
            Assert.Contains("apt-get install libonnx-testdata", e.Message);
            Assert.Contains(OnnxTestData.RootVariable, e.Message);
            Assert.Equal(OnnxTestData.DefaultRoot, string.IsNullOrEmpty(Environment.GetEnvironmentVariable(OnnxTestData.RootVariable)) ? OnnxTestData.Root : OnnxTestData.DefaultRoot);
        }

        // ---- broken files ----

        [Fact]
        public void EveryTruncationOfARealModelIsAMaceErrorNamingTheFile()
        {
            byte[] model = File.ReadAllBytes(ModelPath("test_conv_with_strides_padding"));
            string path = Path.Combine(_temp, "cut.onnx");
            for (int n = 1; n < model.Length; n++)
            {
                File.WriteAllBytes(path, model.AsSpan(0, n).ToArray());
                var e = Assert.ThrowsAny<MaceException>(() => OnnxModel.Load(path));
                Assert.Contains(path, e.Message);
                Assert.Equal(path, e.Target);
                Assert.Equal(MaceErrorCategory.InvalidData, e.Category);
            }
            File.WriteAllBytes(path, model.AsSpan(0, model.Length / 2).ToArray());
            var half = Assert.IsType<MaceFormatException>(Assert.ThrowsAny<MaceException>(() => OnnxModel.Load(path)));
            Assert.Equal(ErrorIds.Truncated, half.ErrorId);
            Assert.Contains("cut off", half.Message);
            Assert.Contains("ModelProto.graph: claims", half.Message); // the field whose length runs past the end
            Assert.InRange(half.Offset, 1, model.Length / 2 - 1);
        }

        [Fact]
        public void DamagedBytesOfARealModelLoadOrGiveAMaceError()
        {
            byte[] model = File.ReadAllBytes(ModelPath("test_gemm_all_attributes"));
            var random = new Random(7);
            int loaded = 0;
            for (int i = 0; i < 2000; i++)
            {
                byte[] b = (byte[])model.Clone();
                for (int k = 0; k <= i % 3; k++) b[random.Next(b.Length)] = (byte)random.Next(256);
                try
                {
                    var m = OnnxModel.Parse(b, "damaged.onnx");
                    foreach (var n in m.Graph.Nodes) _ = n.ToString() + string.Join(";", n.Attributes.Values);
                    foreach (var t in m.Graph.Initializers.Values.Concat(m.Graph.Constants.Values)) _ = t.ToFloats();
                    loaded++;
                }
                catch (MaceException e)
                {
                    Assert.Contains("damaged.onnx", e.Message);
                }
            }
            Assert.InRange(loaded, 1, 1999);
        }

        [Fact]
        public void RandomBytesAreAMaceErrorNamingTheFile()
        {
            var random = new Random(20240611);
            for (int i = 0; i < 300; i++)
            {
                var bytes = new byte[1 + random.Next(i < 100 ? 16 : 4096)];
                random.NextBytes(bytes);
                string path = Temp($"random{i}.onnx", bytes);
                var e = Assert.ThrowsAny<MaceException>(() => OnnxModel.Load(path));
                Assert.Contains(path, e.Message);
                Assert.Contains(e.ErrorId, new[] { ErrorIds.Truncated, ErrorIds.MalformedProtobuf, ErrorIds.UnknownFormat });

                var t = Assert.ThrowsAny<MaceException>(() => OnnxTensor.Load(path));
                Assert.Contains(path, t.Message);
            }
        }

        [Fact]
        public void EmptyFileIsFileEmpty()
        {
            string path = Temp("empty.onnx", Array.Empty<byte>());
            var e = Assert.IsType<MaceFormatException>(Assert.ThrowsAny<MaceException>(() => OnnxModel.Load(path)));
            Assert.Equal(ErrorIds.FileEmpty, e.ErrorId);
            Assert.Equal(path, e.Path);
            Assert.Contains(path, e.Message);
            Assert.Equal(ErrorIds.FileEmpty, Assert.ThrowsAny<MaceException>(() => OnnxTensor.Load(path)).ErrorId);
        }

        [Fact]
        public void OtherProtobufFilesAreNotOnnxModels()
        {
            // A TensorProto decodes as protobuf but is no model: its fields do not make a graph.
            string pb = Path.Combine(OnnxTestData.CaseDirectory("test_conv_with_strides_padding"), "test_data_set_0", "input_0.pb");
            var e = Assert.ThrowsAny<MaceException>(() => OnnxModel.Load(pb));
            Assert.Contains(pb, e.Message);

            // A model holding only an ir_version: a model without a graph.
            string noGraph = Temp("nograph.onnx", new ModelProto { IrVersion = 7 }.ToByteArray());
            var g = Assert.ThrowsAny<MaceException>(() => OnnxModel.Load(noGraph));
            Assert.Equal(ErrorIds.UnknownFormat, g.ErrorId);
            Assert.Contains("no graph", g.Message);
            Assert.Contains(noGraph, g.Message);

            // A real MACE file.
            string mace = Fixtures.Path(Fixtures.PoclTuning);
            Assert.Contains(mace, Assert.ThrowsAny<MaceException>(() => OnnxModel.Load(mace)).Message);
        }

        [Fact]
        public void MissingFileIsFileNotFound()
        {
            string path = Path.Combine(_temp, "absent.onnx");
            Assert.Equal(ErrorIds.FileNotFound, Assert.ThrowsAny<MaceException>(() => OnnxModel.Load(path)).ErrorId);
            Assert.Equal(ErrorIds.FileNotFound, Assert.ThrowsAny<MaceException>(() => OnnxTensor.Load(path)).ErrorId);
        }

        [Fact]
        public void TruncatedTensorFileIsAMaceError()
        {
            string pb = Path.Combine(OnnxTestData.CaseDirectory("test_conv_with_strides_padding"), "test_data_set_0", "input_0.pb");
            byte[] bytes = File.ReadAllBytes(pb);
            string path = Temp("cut.pb", bytes.AsSpan(0, bytes.Length - 7).ToArray());
            var e = Assert.ThrowsAny<MaceException>(() => OnnxTensor.Load(path));
            Assert.Equal(ErrorIds.Truncated, e.ErrorId);
            Assert.Contains(path, e.Message);
        }

        // ---- Constant nodes (PaddleOCR-style weights) and tensor decoding ----

        [Fact]
        public void ConstantNodeTensorsAreReadByOutputName()
        {
            var weights = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float, Name = "ignored" };
            weights.Dims.AddRange(new long[] { 2, 3 });
            weights.FloatData.AddRange(new[] { -1f, 2f, -3f, 4f, -5f, 6f });
            var raw = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float };
            raw.Dims.Add(2);
            raw.RawData = ByteString.CopyFrom(BitConverter.GetBytes(1.5f).Concat(BitConverter.GetBytes(-0.25f)).ToArray());

            var graph = new GraphProto { Name = "paddle-like" };
            graph.Node.Add(Constant("conv1_weights", new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = weights }));
            graph.Node.Add(Constant("bias", new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = raw }));
            var scale = new AttributeProto { Name = "value_floats", Type = AttributeProto.Types.AttributeType.Floats };
            scale.Floats.AddRange(new[] { 0.5f, 2f });
            graph.Node.Add(Constant("scale", scale));
            graph.Node.Add(Constant("axis", new AttributeProto { Name = "value_int", Type = AttributeProto.Types.AttributeType.Int, I = 3 }));
            var relu = new NodeProto { Name = "relu_0", OpType = "Relu" };
            relu.Input.Add("conv1_weights");
            relu.Output.Add("y");
            graph.Node.Add(relu);
            graph.Output.Add(new ValueInfoProto { Name = "y", Type = FloatType(2, 3) });
            var input = new ValueInfoProto { Name = "x", Type = FloatType(-1, 3) };
            input.Type.TensorType.Shape.Dim[0].DimParam = "N";
            graph.Input.Add(input);

            var model = new ModelProto { IrVersion = 6, ProducerName = "test", Graph = graph };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 9 });
            string path = Temp("paddle.onnx", model.ToByteArray());

            var m = OnnxModel.Load(path);
            Assert.Equal(9, m.Opset);
            Assert.Equal(6, m.IrVersion);
            Assert.Equal("test", m.ProducerName);
            Assert.Empty(m.Graph.Initializers);
            Assert.Equal(5, m.Graph.Nodes.Count);
            Assert.Equal(new[] { "conv1_weights", "bias", "scale", "axis" }.OrderBy(s => s), m.Graph.Constants.Keys.OrderBy(s => s));

            var w = m.Graph.Constants["conv1_weights"];
            Assert.Equal("conv1_weights", w.Name);
            Assert.Equal(new long[] { 2, 3 }, w.Dims);
            Assert.Equal(OnnxDataType.Float, w.DataType);
            Assert.Equal(new[] { -1f, 2f, -3f, 4f, -5f, 6f }, w.ToFloats());
            Assert.Same(w, m.Graph.FindTensor("conv1_weights"));
            Assert.Null(m.Graph.FindTensor("y"));

            Assert.Equal(new[] { 1.5f, -0.25f }, m.Graph.Constants["bias"].ToFloats());
            Assert.Equal(new[] { 0.5f, 2f }, m.Graph.Constants["scale"].ToFloats());
            Assert.Equal(new long[] { 2 }, m.Graph.Constants["scale"].Dims);
            Assert.Equal(new long[] { 3 }, m.Graph.Constants["axis"].ToInt64s());
            Assert.Empty(m.Graph.Constants["axis"].Dims);

            var r = m.Graph.Nodes[4];
            Assert.Equal(("relu_0", "Relu"), (r.Name, r.OpType));
            Assert.Equal(new[] { "conv1_weights" }, r.Inputs);
            Assert.Equal(new[] { "y" }, r.Outputs);
            Assert.Empty(r.Attributes);

            Assert.Equal(new long[] { -1, 3 }, m.Graph.Inputs[0].Shape);
            Assert.Equal(new string?[] { "N", null }, m.Graph.Inputs[0].DimParams);
            Assert.Equal(new long[] { 2, 3 }, m.Graph.Outputs[0].Shape);
        }

        [Fact]
        public void TensorDecoding_TypesCountsAndErrors()
        {
            Assert.Equal(new[] { 1f, -2f }, Tensor(OnnxDataType.Double, new long[] { 2 }, t => t.DoubleData.AddRange(new[] { 1.0, -2.0 })).ToFloats());
            Assert.Equal(new long[] { 7, -8 }, Tensor(OnnxDataType.Int32, new long[] { 2 }, t => t.Int32Data.AddRange(new[] { 7, -8 })).ToInt64s());
            Assert.Equal(new[] { 7f, -8f }, Tensor(OnnxDataType.Int32, new long[] { 2 }, t => t.Int32Data.AddRange(new[] { 7, -8 })).ToFloats());
            Assert.Equal(new long[] { 5, -6 }, Tensor(OnnxDataType.Int64, new long[] { 2 },
                t => t.RawData = ByteString.CopyFrom(BitConverter.GetBytes(5L).Concat(BitConverter.GetBytes(-6L)).ToArray())).ToInt64s());
            Assert.Equal(new[] { 3f }, Tensor(OnnxDataType.Double, Array.Empty<long>(), t => t.RawData = ByteString.CopyFrom(BitConverter.GetBytes(3.0))).ToFloats());
            Assert.Empty(Tensor(OnnxDataType.Float, new long[] { 0, 4 }, _ => { }).ToFloats());

            var half = Tensor(OnnxDataType.Float16, new long[] { 1 }, t => t.Int32Data.Add(0x3c00), "h");
            var e = Assert.ThrowsAny<MaceException>(() => half.ToFloats());
            Assert.Equal(ErrorIds.Unsupported, e.ErrorId);
            Assert.Contains("'h'", e.Message);
            Assert.Contains("FLOAT16", e.Message);
            Assert.Contains(half.Source, e.Message);

            var strings = Tensor(OnnxDataType.String, new long[] { 1 }, t => t.StringData.Add(ByteString.CopyFromUtf8("a")), "s");
            Assert.Contains("STRING", Assert.ThrowsAny<MaceException>(() => strings.ToInt64s()).Message);

            var shortRaw = Tensor(OnnxDataType.Float, new long[] { 3 }, t => t.RawData = ByteString.CopyFrom(new byte[8]), "w");
            var s = Assert.ThrowsAny<MaceException>(() => shortRaw.ToFloats());
            Assert.Equal(ErrorIds.Truncated, s.ErrorId);
            Assert.Contains("'w'", s.Message);

            var extra = Tensor(OnnxDataType.Float, new long[] { 1 }, t => t.FloatData.AddRange(new[] { 1f, 2f }), "v");
            Assert.Equal(ErrorIds.MalformedProtobuf, Assert.ThrowsAny<MaceException>(() => extra.ToFloats()).ErrorId);

            var external = Tensor(OnnxDataType.Float, new long[] { 1 }, t =>
            {
                t.DataLocation = TensorProto.Types.DataLocation.External;
                t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
            }, "ext");
            var x = Assert.ThrowsAny<MaceException>(() => external.ToFloats());
            Assert.Equal(ErrorIds.Unsupported, x.ErrorId);
            Assert.Contains("weights.bin", x.Message);
        }

        private OnnxTensor Tensor(OnnxDataType type, long[] dims, Action<TensorProto> fill, string name = "t")
        {
            var t = new TensorProto { DataType = (int)type, Name = name };
            t.Dims.AddRange(dims);
            fill(t);
            return OnnxTensor.Load(Temp(Guid.NewGuid().ToString("N") + ".pb", t.ToByteArray()));
        }

        private static NodeProto Constant(string output, AttributeProto value)
        {
            var node = new NodeProto { OpType = "Constant", Name = output + "_const" };
            node.Output.Add(output);
            node.Attribute.Add(value);
            return node;
        }

        private static TypeProto FloatType(params long[] dims)
        {
            var shape = new TensorShapeProto();
            foreach (long d in dims) shape.Dim.Add(d >= 0 ? new TensorShapeProto.Types.Dimension { DimValue = d } : new TensorShapeProto.Types.Dimension());
            return new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } };
        }

        private static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, float tolerance)
        {
            Assert.Equal(expected.Count, actual.Count);
            for (int i = 0; i < expected.Count; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                    $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
