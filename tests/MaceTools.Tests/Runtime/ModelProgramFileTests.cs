using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MaceTools.Compilation;
using MaceTools.Conversion;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.Operations;
using MaceTools.Runtime;
using MaceTools.Tests.Drift;
using MaceTools.Tests.OpenCLTests;
using MaceTools.Tests.Operations;
using Xunit;
using static MaceTools.Tests.Cli.CliRunner;

namespace MaceTools.Tests.Runtime
{
    /// <summary>The example classifier's deployment file and its program file (New-MaceProgram -Config on pocl), made once for the class.</summary>
    public sealed class ExampleProgramFile : IDisposable
    {
        public ExampleProgramFile()
        {
            string dir = Path.Combine(Fixtures.RepoRoot, "examples", "paddleocr");
            File.Copy(Path.Combine(dir, "ch_ppocr_mobile_v2.0_cls_infer.onnx"), Tmp.File("ch_ppocr_mobile_v2.0_cls_infer.onnx"));
            File.Copy(Path.Combine(dir, "mace.yml"), Config);
            var host = new RecordingHost(Tmp.Path);
            new NewProgramOperation { Config = Config, Devices = new List<MaceDevice> { Pocl.Device }, Cache = null, Worker = Pocl.Worker, OutFile = ProgramFile }.Run(host);
            Assert.Empty(host.Errors);
            using var fetcher = ConfigConversion.Fetcher(Tmp.File("models"), host);
            Set = ConfigConversion.Convert(MaceTools.Config.MaceConfigReader.Read(Config), Pocl.Device, MaceVersion.Latest, fetcher, host).Single();
        }

        public TempDir Tmp { get; } = new TempDir();
        public string Config => Tmp.File("mace.yml");
        public string ProgramFile => Tmp.File("ppocr_cls.mace_cl_compiled_program.bin");
        public KernelSet Set { get; }

        public void Dispose() => Tmp.Dispose();
    }

    /// <summary>
    /// -ProgramFile / --program-file: the model runs with the programs of a mace_cl_compiled_program.bin, created from their
    /// binaries (as MACE's runtime starts from its cache), and a file that cannot serve the model is refused by name first.
    /// </summary>
    public sealed class ModelProgramFileTests : IClassFixture<ExampleProgramFile>
    {
        private readonly ExampleProgramFile _example;

        public ModelProgramFileTests(ExampleProgramFile example) { _example = example; }

        private InvokeModelOperation Invoke(string? programFile) => new InvokeModelOperation
        {
            Config = _example.Config, Devices = new List<MaceDevice> { Pocl.Device }, Worker = Pocl.Worker, ProgramFile = programFile, Seed = 3,
        };

        [Fact]
        public void Invoke_with_a_program_file_runs_every_program_from_its_binaries_and_computes_what_source_computes()
        {
            var host = new RecordingHost(_example.Tmp.Path);
            Invoke(_example.ProgramFile).Run(host);
            Invoke(null).Run(host);
            Assert.Empty(host.Errors);
            var runs = host.Of<MaceModelRun>().ToList();
            Assert.Equal($"{_example.ProgramFile} ({_example.Set.ProgramKeys.Count} programs)", runs[0].Programs);
            Assert.Equal("source", runs[1].Programs);
            Assert.Equal(runs[1].Outputs[0].Data, runs[0].Outputs[0].Data);
        }

        [Fact]
        public void A_program_file_that_lacks_a_program_the_model_needs_is_ProgramNotInFile_naming_the_key()
        {
            var file = MaceProgram.Load(_example.ProgramFile);
            string dropped = _example.Set.ProgramKeys[1];
            string partial = _example.Tmp.File("partial.bin");
            DeviceCaches.Write(partial, DeviceCaches.Records(file).Where(r => r.Key != dropped));
            var e = Assert.Throws<MaceException>(() => Invoke(partial).Run(new RecordingHost(_example.Tmp.Path)));
            Assert.Equal(ErrorIds.ProgramNotInFile, e.ErrorId);
            Assert.Contains($"has no program '{dropped}', which ppocr_cls needs on {Pocl.Device.Name}", e.Message);
            Assert.Equal(dropped, e.Target);
        }

        [Fact]
        public void A_program_file_made_for_another_device_is_IdentityMismatch_naming_its_platform_and_the_device()
        {
            string adreno = Fixtures.Path(Fixtures.Adreno);
            var e = Assert.Throws<MaceException>(() => new TestModelOperation
            {
                Config = _example.Config, Devices = new List<MaceDevice> { Pocl.Device }, Worker = Pocl.Worker, ProgramFile = adreno, Count = 1,
            }.Run(new RecordingHost(_example.Tmp.Path)));
            Assert.Equal(ErrorIds.IdentityMismatch, e.ErrorId);
            Assert.Contains("QUALCOMM", e.Message);
            Assert.Contains($"but {Pocl.Device.Name} is on '{Pocl.Device.PlatformName}", e.Message);
        }

        [Fact]
        public void The_CLI_validates_with_the_program_file_and_measure_names_it_as_the_programs_source()
        {
            var (code, stdout, stderr) = Run(_example.Tmp.Path, "model", "validate", "--config", _example.Config, "--program-file", _example.ProgramFile, "--count", "2", "--json");
            Assert.True(code == 0, stderr);
            Assert.True(JsonLine(stdout).GetProperty("passed").GetBoolean());
            (code, stdout, stderr) = Run(_example.Tmp.Path, "model", "measure", "--config", _example.Config, "--program-file", _example.ProgramFile, "--round", "1", "--no-reference", "--json");
            Assert.True(code == 0, stderr);
            Assert.EndsWith("; programs from " + _example.ProgramFile, JsonLine(stdout).GetProperty("source").GetString());
            // A missing file is bad input: exit 2.
            (code, _, stderr) = Run(_example.Tmp.Path, "model", "run", "--config", _example.Config, "--program-file", "nope.bin");
            Assert.True(code == 2, stderr);
        }
    }
}
