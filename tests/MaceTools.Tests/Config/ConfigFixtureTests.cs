using System.Linq;
using MaceTools.Config;
using static MaceTools.Tests.Config.ConfigFixtures;

namespace MaceTools.Tests.Config
{
    /// <summary>The four real deployment files of XiaoMi/mace-models, with values checked by hand against the files.</summary>
    public class ConfigFixtureTests
    {
        [Theory]
        [InlineData(MobileNet)]
        [InlineData(SqueezeNet)]
        [InlineData(Vgg16)]
        [InlineData(Inception)]
        public void Every_real_file_reads_without_errors_or_warnings_as_the_v09_schema(string name)
        {
            Assert.Empty(MaceConfigReader.Check(Path(name)));
            var config = MaceConfigReader.Read(Path(name));
            Assert.Equal(MaceConfigGeneration.V0_9, config.Generation);
            Assert.Equal("file", config.ModelGraphFormat);
            Assert.Equal("file", config.ModelDataFormat);
            Assert.Equal(Path(name), config.Path);
            var model = Assert.Single(config.Models);
            var graph = Assert.Single(model.Subgraphs);
            Assert.Equal("default_graph", graph.Name);
            Assert.True(model.IsRemote);
            Assert.Empty(config.Findings);
        }

        [Fact]
        public void MobileNet_v1_list_form_and_cpu_plus_gpu_read_as_gpu()
        {
            var config = MaceConfigReader.Read(Path(MobileNet));
            Assert.Equal("mobilenet-v1", config.LibraryName);
            Assert.Equal(new[] { "armeabi-v7a", "arm64-v8a" }, config.TargetAbis);
            Assert.Empty(config.TargetSocs);
            var m = config.Models.Single();
            Assert.Equal("mobilenet_v1", m.Name);
            Assert.Equal("tensorflow", m.Platform);
            Assert.Equal("https://cnbj1.fds.api.xiaomi.com/mace/miai-models/mobilenet-v1/mobilenet-v1-1.0.pb", m.ModelFilePath);
            Assert.Equal("71b10f540ece33c49a7b51f5d4095fc9bd78ce46ebf0300487b2ee23d71294e6", m.ModelSha256);
            Assert.Null(m.WeightFilePath);
            Assert.Equal("gpu", m.Runtime);
            Assert.Equal("cpu+gpu", m.DeclaredRuntime);
            Assert.Equal("fp16_fp32", m.DataType); // gpu default
            Assert.False(m.Obfuscate);             // obfuscate: 0
            Assert.Equal(0, m.Winograd);
            Assert.Equal(0, m.LimitOpenclKernelTime);
            Assert.Equal(0, m.NnlibGraphMode);
            Assert.Equal("image", m.ClMemType);
            Assert.False(m.Quantize);
            Assert.Empty(m.OtherKeys);
            var g = m.Subgraphs.Single();
            Assert.Equal(new[] { "input" }, g.InputTensors);
            Assert.Equal(new[] { new[] { 1, 224, 224, 3 } }, g.InputShapes);
            Assert.Equal(new[] { "MobilenetV1/Predictions/Reshape_1" }, g.OutputTensors);
            Assert.Equal(new[] { new[] { 1, 1001 } }, g.OutputShapes);
            Assert.Equal(new[] { "float32" }, g.InputDataTypes);
            Assert.Equal(new[] { "float32" }, g.OutputDataTypes);
            Assert.Equal(new[] { "NHWC" }, g.InputDataFormats);
            Assert.Equal(new[] { "NHWC" }, g.OutputDataFormats);
            Assert.Equal(new[] { "https://cnbj1.fds.api.xiaomi.com/mace/inputs/dog.npy" }, g.ValidationInputsData);
            Assert.Empty(g.InputRanges);
            Assert.Equal("tensorflow", g.Backend);
            Assert.Equal("gpu", g.Runtime);
        }

        [Fact]
        public void SqueezeNet_scalar_forms_become_one_element_lists_and_backend_is_kept()
        {
            var m = MaceConfigReader.Read(Path(SqueezeNet)).Models.Single();
            Assert.Equal("squeezenet_v1_1", m.Name);
            Assert.Equal("onnx", m.Platform);
            Assert.Equal("f0eae2f126ea557187e14e834492637e1e6a001fc4959240c96b7d7552c27cb7", m.ModelSha256);
            Assert.Equal(0, m.Winograd); // no winograd key: MACE's "" -> 0
            Assert.False(m.Obfuscate);
            var g = m.Subgraphs.Single();
            Assert.Equal(new[] { "data" }, g.InputTensors);
            Assert.Equal(new[] { "squeezenet0_flatten0_reshape0" }, g.OutputTensors);
            Assert.Equal(new[] { new[] { 1, 224, 224, 3 } }, g.InputShapes);
            Assert.Equal(new[] { new[] { 1, 1000 } }, g.OutputShapes);
            Assert.Equal("caffe2", g.Backend);
            Assert.Empty(g.OtherKeys);
        }

        [Fact]
        public void Vgg16_has_a_weight_file_and_winograd_4()
        {
            var config = MaceConfigReader.Read(Path(Vgg16));
            Assert.Equal("vgg16-caffe-gpu", config.LibraryName);
            Assert.Equal(new[] { "armeabi-v7a" }, config.TargetAbis);
            var m = config.Models.Single();
            Assert.Equal("caffe", m.Platform);
            Assert.Equal("https://cnbj1.fds.api.xiaomi.com/mace/miai-models/vgg16/vgg16.prototxt", m.ModelFilePath);
            Assert.Equal("https://cnbj1.fds.api.xiaomi.com/mace/miai-models/vgg16/vgg16.caffemodel", m.WeightFilePath);
            Assert.Equal("b2cc45ad0d75d38ac25fabaf120637af5277b2dea149db197bf52c02d49bc219", m.WeightSha256);
            Assert.Equal("gpu", m.Runtime);
            Assert.Equal("gpu", m.DeclaredRuntime);
            Assert.Equal("fp16_fp32", m.DataType);
            Assert.Equal(4, m.Winograd);
            Assert.Equal(new[] { new[] { 1, 1, 1, 1000 } }, m.Subgraphs.Single().OutputShapes);
        }

        [Fact]
        public void Inception_dsp_is_uint8_quantized_with_socs_ranges_and_check_tensors()
        {
            var config = MaceConfigReader.Read(Path(Inception));
            Assert.Equal("inception-v3-quantize-retrain-dsp", config.LibraryName);
            Assert.Equal(new[] { "sdm660" }, config.TargetSocs);
            var m = config.Models.Single();
            Assert.Equal("inception_v3_quantize_retrain_dsp", m.Name);
            Assert.Equal("dsp", m.Runtime);
            Assert.Equal("uint8", m.DataType); // dsp default
            Assert.True(m.Quantize);
            Assert.False(m.QuantizeLargeWeights);
            var g = m.Subgraphs.Single();
            Assert.Equal(new[] { new[] { 1, 299, 299, 3 } }, g.InputShapes);
            Assert.Equal(new[] { new[] { -1.0, 1.0 } }, g.InputRanges);
            Assert.Equal(new[] { "InceptionV3/Logits/Conv2d_1c_1x1/BiasAdd:0" }, g.CheckTensors);
            Assert.Equal(new[] { new[] { 1, 1, 1, 1001 } }, g.CheckShapes);
            Assert.Equal(new[] { "https://cnbj1.fds.api.xiaomi.com/mace/inputs/keyboard_299x299.bin" }, g.ValidationInputsData);
        }
    }
}
