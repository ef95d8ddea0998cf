using System.Collections.Generic;
using System.Linq;
using MaceTools.Compilation;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.Operations;
using MaceTools.Tests.Cli;
using MaceTools.Tests.OpenCLTests;
using MaceTools.Tests.Operations;
using MaceTools.Verification;
using Xunit;

namespace MaceTools.Tests.CompilationTests
{
    /// <summary>
    /// The version field of the platform info is whatever string the target MACE was built with (mace-formats.md §8.1:
    /// "unknown" from a release tarball, another repository's describe string when vendored); the file generation is
    /// chosen apart from it.
    /// </summary>
    public class VersionStringTests
    {
        private static readonly string Key = NewProgramTests.PoclV111Keys.Last();

        private static NewProgramOperation Op(TempDir tmp, string outFile) => new NewProgramOperation
        {
            Devices = new List<MaceDevice> { Pocl.Device }, Cache = new BuildCache(tmp.File("cache")), Worker = Pocl.Worker, OutFile = outFile,
        };

        [Fact]
        public void Mace_version_unknown_is_accepted_writes_G2_and_a_from_rebuild_keeps_unknown()
        {
            using var tmp = new TempDir();
            // The command line accepts it (it used to say "'unknown' is not a MACE version").
            var cli = CliRunner.Run(tmp.Path, "program", "new", "--kernel", Key, "--mace-version", "unknown", "--out", "unknown.bin", "--cache-dir", tmp.File("cache"));
            Assert.True(cli.Code == 0, cli.Err);
            var file = MaceProgram.Load(tmp.File("unknown.bin"));
            Assert.Equal(MaceFileFormat.G2, file.Generation);
            Assert.Equal(Pocl.Device.PlatformInfoFor(MaceVersion.Latest).Replace("v1.1.1-0-g8c75d39", "unknown"), file.PlatformInfo);
            Assert.EndsWith(", unknown", file.PlatformInfo);
            Assert.Equal("unknown", file.MaceVersion);

            // --from without --mace-version keeps the field of the file it came from, and its generation.
            var host = new RecordingHost(tmp.Path);
            var again = Op(tmp, "again.bin");
            again.From = tmp.File("unknown.bin");
            again.Run(host);
            Assert.Empty(host.Errors);
            var rebuilt = MaceProgram.Load(tmp.File("again.bin"));
            Assert.Equal(MaceFileFormat.G2, rebuilt.Generation);
            Assert.Equal(file.PlatformInfo, rebuilt.PlatformInfo);
            Assert.Contains(host.Verbose, v => v.Contains("keeping its MACE version field 'unknown'"));

            // Told otherwise, it writes what it is told.
            var told = Op(tmp, "told.bin");
            told.From = tmp.File("unknown.bin");
            told.Version = MaceVersion.ForRuntime("v1.1.1-0-g8c75d39");
            told.Run(host);
            Assert.EndsWith(", v1.1.1-0-g8c75d39", MaceProgram.Load(tmp.File("told.bin")).PlatformInfo);
        }

        [Fact]
        public void Another_repositorys_describe_string_is_written_as_given_in_the_generation_asked_for()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            var op = Op(tmp, "app.bin");
            op.Kernels = new[] { Key };
            op.Version = MaceVersion.ForRuntime("myapp-2.3-14-gabcdef0");
            op.Generation = MaceFileFormat.G1;
            op.Run(host);
            Assert.Empty(host.Errors);
            var file = MaceProgram.Load(tmp.File("app.bin"));
            Assert.Equal(MaceFileFormat.G1, file.Generation);
            Assert.EndsWith(", myapp-2.3-14-gabcdef0", file.PlatformInfo);
            // Read back, the field is recognised as the version, not as part of the driver's platform version.
            Assert.Equal("myapp-2.3-14-gabcdef0", file.MaceVersion);
            Assert.Equal(Pocl.Device.PlatformVersion, file.Platform!.PlatformVersion);

            // A recognised version of the other generation is a contradiction, said as such.
            var e = Assert.Throws<MaceException>(() => MaceVersion.ForRuntime("v1.0.4", MaceFileFormat.G2));
            Assert.Contains("reads G1", e.Message);
            Assert.Throws<MaceException>(() => MaceVersion.ForRuntime(" "));
        }

        [Fact]
        public void Test_on_the_device_says_plainly_when_the_version_field_differs_from_the_target_MACEs()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            var op = Op(tmp, "mace_compiled_opencl_kernel.pocl.host.bin");
            op.Kernels = new[] { Key };
            op.Version = MaceVersion.ForRuntime("unknown");
            op.Run(host);
            string path = tmp.File("mace_compiled_opencl_kernel.pocl.host.bin");

            // Without a target version, the file's own field is the one assumed: MACE built as "unknown" uses it.
            var self = TestProgramOperation.TestOnDevice(path, new MaceTarget(), Pocl.Device, Pocl.Worker, host);
            Assert.DoesNotContain(self.Findings, f => f.Code == "VersionFieldDiffers" || f.Severity == FindingSeverity.Error);
            Assert.Equal(RuntimeOutcome.Used, self.Verdicts.Single(v => v.Usage == MaceFileUsage.Precompiled).Outcome);

            var tagged = TestProgramOperation.TestOnDevice(path, MaceTarget.From("v1.1.1-0-g8c75d39", null, null), Pocl.Device, Pocl.Worker, host);
            var finding = Assert.Single(tagged.Findings, f => f.Code == "VersionFieldDiffers");
            Assert.Equal(FindingSeverity.Error, finding.Severity);
            Assert.Contains("'unknown'", finding.Message);
            Assert.Contains("-MaceVersion 'v1.1.1-0-g8c75d39'", finding.Message);
            Assert.False(tagged.Passed);
        }

        [Fact]
        public void Convert_patches_the_version_field_to_unknown_as_MACE_built_without_git_needs()
        {
            using var tmp = new TempDir();
            var cli = CliRunner.Run(tmp.Path, "program", "convert", Fixtures.Path(Fixtures.Mali), "--mace-version", "unknown", "--out", "patched.bin");
            Assert.True(cli.Code == 0, cli.Err);
            var patched = MaceProgram.Load(tmp.File("patched.bin"));
            Assert.Equal(MaceFileFormat.G2, patched.Generation);
            Assert.EndsWith(", unknown", patched.PlatformInfo);
            Assert.DoesNotContain("is a tag", cli.Err);
            var g1 = CliRunner.Run(tmp.Path, "program", "convert", Fixtures.Path(Fixtures.Mali), "--mace-version", "unknown", "--to", "G1", "--out", "g1.bin");
            Assert.True(g1.Code == 0, g1.Err);
            Assert.Equal(MaceFileFormat.G1, MaceProgram.Load(tmp.File("g1.bin")).Generation);
            Assert.Equal(2, CliRunner.Run(tmp.Path, "program", "convert", Fixtures.Path(Fixtures.Mali), "--mace-version", "latest", "--out", "x.bin").Code);
        }
    }
}
