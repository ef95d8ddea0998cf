using System;
using System.IO;
using System.Linq;
using MaceTools.Compilation;
using MaceTools.Conversion;
using MaceTools.Kernels;
using MaceTools.Models.Onnx;
using MaceTools.Operations;
using MaceTools.Tests.CompilationTests;
using MaceTools.Tests.Operations;
using MaceTools.Tests.OpenCLTests;
using MaceTools.Verification;
using Xunit;

namespace MaceTools.Tests.ConversionTests
{
    /// <summary>The deployment file end to end: New-MaceProgram -Config and Get-MaceKernel -Config on pocl.</summary>
    public class ConfigConversionTests
    {
        private static readonly string Config = OnnxConverterTests.Example("mace.yml");

        private static NewProgramOperation Op(TempDir tmp) => new NewProgramOperation
        {
            Config = Config,
            Devices = { Pocl.Device },
            Cache = new BuildCache(tmp.File("cache")),
            Worker = Pocl.Worker,
            Destination = tmp.Path,
            ModelCache = tmp.File("models"),
        };

        [Fact]
        public void New_program_with_a_deployment_file_builds_the_models_kernel_set_into_a_MACE_named_file_that_loads()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            Op(tmp).Run(host);
            Assert.Empty(host.Errors);
            var file = Assert.Single(host.Of<MaceProgram>());
            Assert.Equal($"paddleocr_cls_compiled_opencl_kernel.{Pocl.Device.Model}.host.bin", Path.GetFileName(file.Path));
            var model = OnnxOf("ch_ppocr_mobile_v2.0_cls_infer.onnx");
            var expected = OnnxConverter.Convert(model, "cls", new[] { new ModelInput("x", new[] { 1, 3, 48, 192 }) }, null,
                new ConversionOptions(KernelTarget.For(Pocl.Device)) { GpuUnequalStrideDepthwise = true }).ProgramKeys; // mace.yml's macetools_gpu_unequal_stride_depthwise: 1
            var keys = file.Entries.Where(e => e.Kind == MaceEntryKind.Program).Select(e => e.Key).OrderBy(k => k, StringComparer.Ordinal).ToList();
            Assert.Equal(expected, keys);
            Assert.All(DeviceLoader.LoadAll(file, Pocl.Device, Pocl.Worker, host), l => Assert.Equal(EntryLoadStatus.Loaded, l.Status));
        }

        [Fact]
        public void What_if_converts_and_compiles_but_writes_nothing()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path, shouldProcess: false);
            Op(tmp).Run(host);
            Assert.Contains("Write 21 program(s)", Assert.Single(host.ShouldProcessCalls).Action);
            Assert.Empty(Directory.GetFiles(tmp.Path, "*.bin"));
        }

        [Fact]
        public void Get_kernel_with_a_deployment_file_lists_the_launches_in_order()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            new GetKernelOperation { Config = Config, Devices = { Pocl.Device }, ModelCache = tmp.File("models"), Name = "conv_2d*" }.Run(host);
            var launches = host.Of<MaceKernel>().ToList();
            Assert.NotEmpty(launches);
            Assert.All(launches, k => Assert.StartsWith("conv_2d", k.Kernel));
            Assert.Equal("p2o.Conv.0", launches[0].Node);
            Assert.Equal("ppocr_cls", launches[0].Model);
            Assert.Contains(host.Verbose, v => v.Contains("SHA-256 verified"));
        }

        [Fact]
        public void A_model_the_converter_cannot_take_is_one_error_and_no_file()
        {
            using var tmp = new TempDir();
            // Hardmax: neither MACE's GPU ops nor MaceTools' CPU ops take it.
            File.Copy(Path.Combine(MaceTools.Tests.Models.OnnxTestData.CaseDirectory("test_hardmax_example"), "model.onnx"), tmp.File("hardmax.onnx"));
            File.WriteAllText(tmp.File("mace.yml"), "library_name: t\ntarget_abis: [arm64-v8a]\nmodel_graph_format: file\nmodel_data_format: file\nmodels:\n  m:\n"
                + "    platform: onnx\n    model_file_path: hardmax.onnx\n    model_sha256_checksum: " + MaceTools.Config.ModelFetcher.Sha256OfFile(tmp.File("hardmax.onnx")) + "\n    subgraphs:\n"
                + "      - input_tensors: x\n        input_shapes: 1,1,3,4\n        input_data_formats: NCHW\n        output_tensors: y\n        output_shapes: 1,1,3,4\n    runtime: gpu\n");
            var op = Op(tmp);
            op.Config = tmp.File("mace.yml");
            var e = Assert.Throws<MaceException>(() => op.Run(new RecordingHost(tmp.Path)));
            Assert.True(ErrorIds.Unsupported == e.ErrorId, e.Message);
            Assert.Contains("Hardmax", e.Message);
            Assert.Empty(Directory.GetFiles(tmp.Path, "*.bin"));
        }

        private static OnnxModel OnnxOf(string name) => OnnxModel.Load(OnnxConverterTests.Example(name));
    }
}
