using System.IO;
using System.Linq;
using MaceTools.Operations;

namespace MaceTools.Tests.Operations
{
    public class ReadOperationTests
    {
        [Fact]
        public void GetProgram_expands_wildcards_and_emits_one_object_per_file()
        {
            using var dir = new TempDir();
            dir.Copy(Fixtures.Adreno);
            dir.Copy(Fixtures.Mali);
            dir.Copy(Fixtures.PoclTuning);
            var host = new RecordingHost(dir.Path);
            new GetProgramOperation { Paths = new[] { "*.mace_cl_compiled_program.bin" } }.Run(host);
            var programs = host.Of<MaceProgram>().ToList();
            Assert.Equal(new[] { Fixtures.Adreno, Fixtures.Mali }, programs.Select(p => p.Name));
            Assert.Equal(new[] { 29, 26 }, programs.Select(p => p.EntryCount));
            Assert.Empty(host.Errors);
            Assert.Contains(host.Progress, p => p.Completed);
        }

        [Fact]
        public void GetProgram_reports_identity_of_the_real_files()
        {
            var host = new RecordingHost();
            new GetProgramOperation { Paths = new[] { Fixtures.Path(Fixtures.Adreno) } }.Run(host);
            var p = host.Of<MaceProgram>().Single();
            Assert.Equal(MaceFileFormat.G1, p.Generation);
            Assert.Equal(BinaryVendor.Adreno, p.Vendor);
            Assert.Equal(28, p.ProgramCount);
            Assert.Equal("v0.10.1-rc4-0-gb83487a", p.MaceVersion);
            Assert.Equal("QUALCOMM Snapdragon(TM)", p.Platform!.PlatformName);
            Assert.Equal("2.0", p.Platform.OpenCLVersion);
            Assert.Equal("09/16/19", p.Platform.QualcommDate);
            Assert.Equal("quic/gfx-adreno.lnx.1.0.r48-rel", p.Platform.RemoteBranch);
            Assert.Equal("e0471044afa6744f3c9b6f4eeee45502b32f9975b558b40e8a9a454e3dd52c09", p.Sha256);
        }

        [Fact]
        public void A_missing_file_is_one_error_and_the_other_files_still_come_out()
        {
            var host = new RecordingHost();
            new GetProgramOperation { Paths = new[] { "/nonexistent/x.bin", Fixtures.Path(Fixtures.Mali) } }.Run(host);
            var e = Assert.Single(host.Errors);
            Assert.Equal(ErrorIds.FileNotFound, e.ErrorId);
            Assert.Equal(MaceErrorCategory.ObjectNotFound, e.Category);
            Assert.Equal("/nonexistent/x.bin", e.Target);
            Assert.Single(host.Of<MaceProgram>());
        }

        [Fact]
        public void A_wildcard_that_matches_nothing_is_an_error_naming_the_pattern()
        {
            using var dir = new TempDir();
            var host = new RecordingHost(dir.Path);
            new GetProgramOperation { Paths = new[] { "*.bin" } }.Run(host);
            Assert.Contains("*.bin", Assert.Single(host.Errors).Message);
        }

        [Fact]
        public void Literal_paths_take_brackets_literally()
        {
            using var dir = new TempDir();
            string odd = dir.File("cache[1].bin");
            File.Copy(Fixtures.Path(Fixtures.Mali), odd);
            var host = new RecordingHost(dir.Path);
            new GetProgramOperation { Paths = new[] { "cache[1].bin" }, LiteralPaths = true }.Run(host);
            Assert.Empty(host.Errors);
            Assert.Equal(odd, host.Of<MaceProgram>().Single().Path);
        }

        [Fact]
        public void A_corrupt_file_is_an_error_naming_file_and_offset()
        {
            using var dir = new TempDir();
            string path = dir.File("cut.bin");
            File.WriteAllBytes(path, Fixtures.Bytes(Fixtures.Adreno).Take(1000).ToArray());
            var host = new RecordingHost(dir.Path);
            new GetProgramOperation { Paths = new[] { path } }.Run(host);
            var e = Assert.IsType<MaceFormatException>(Assert.Single(host.Errors));
            Assert.Equal(ErrorIds.Truncated, e.ErrorId);
            Assert.Contains(path, e.Message);
            Assert.InRange(e.Offset, 8, 1000);
        }

        [Fact]
        public void GetProgramEntry_filters_by_key_pattern_and_kind()
        {
            var host = new RecordingHost();
            new GetProgramEntryOperation { Paths = new[] { Fixtures.Path(Fixtures.Adreno) }, KeyPattern = "conv_2d_1x1*" }.Run(host);
            var entries = host.Of<MaceProgramEntry>().ToList();
            Assert.Equal(3, entries.Count);
            Assert.All(entries, e => Assert.Equal("conv_2d_1x1", e.Program));
            Assert.All(entries, e => Assert.Equal("c44CimyloKq", e.KernelSymbol));

            host = new RecordingHost();
            new GetProgramEntryOperation { Paths = new[] { Fixtures.Path(Fixtures.Mali) }, EntryKinds = new[] { MaceEntryKind.PlatformInfo } }.Run(host);
            Assert.Equal("ARM Platform, FULL_PROFILE, OpenCL 2.1 v1.r20p0-01rel0.3c1c24cb7710121ad59f6bdaee909f9f, v0.12.0-28-gc4c1b28", host.Of<MaceProgramEntry>().Single().Text);
        }

        [Fact]
        public void Empty_option_double_space_is_kept_as_an_empty_option()
        {
            var host = new RecordingHost();
            new GetProgramEntryOperation { Paths = new[] { Fixtures.Path(Fixtures.Adreno) }, KeyPattern = "conv_2d_3x3 *" }.Run(host);
            var e = host.Of<MaceProgramEntry>().First(x => x.Key.StartsWith("conv_2d_3x3  "));
            Assert.Equal("", e.Options![0]);
            Assert.Equal(e.Key, Formats.ProgramKey.Build(e.Program!, e.Options));
        }

        [Fact]
        public void GetTuningParameter_shows_readable_keys_as_MACE_logged_them()
        {
            var host = new RecordingHost();
            new GetTuningParameterOperation { Paths = new[] { Fixtures.Path(Fixtures.PoclTuning) } }.Run(host);
            var t = host.Of<MaceTuningParameter>().ToDictionary(x => x.Name);
            Assert.Equal(16, t.Count);
            // mace-formats.md §8: plain key -> stored key -> values
            Assert.Equal("c44ClxknJpoDF6F6FvGBPMEM2547C7_F_CI", t["conv2d_1x1_opencl_kernel_1_16_16_16"].Key);
            Assert.Equal(new uint[] { 1, 4, 4 }, t["conv2d_1x1_opencl_kernel_1_16_16_16"].LocalWorkSize);
            Assert.Equal(0u, t["conv2d_1x1_opencl_kernel_1_16_16_16"].BlockSize);
            Assert.Equal("dBgx15D0Dn0J677KuOKxGLAHG3[7, _F, F, I]", t["dw_filter_buffer_to_image_[1, 16, 3, 3]"].Key);
            Assert.Equal(new uint[] { 256, 16, 0 }, t["in_out_buffer_to_image_[1, 32, 32, 3]"].Values);
            Assert.True(t["MACE_OPENCL_QUEUE_WINDOW_SIZE"].IsQueueWindow);
            Assert.Equal(new uint[] { 0 }, t["MACE_OPENCL_QUEUE_WINDOW_SIZE"].Values);
        }

        [Fact]
        public void GetTuningParameter_on_a_program_file_says_what_it_is()
        {
            var host = new RecordingHost();
            new GetTuningParameterOperation { Paths = new[] { Fixtures.Path(Fixtures.Adreno) } }.Run(host);
            Assert.Equal(ErrorIds.KindMismatch, Assert.Single(host.Errors).ErrorId);
        }

        [Fact]
        public void Cancellation_stops_between_files()
        {
            var host = new RecordingHost();
            host.Cancellation.Cancel();
            Assert.ThrowsAny<System.OperationCanceledException>(() =>
                new GetProgramOperation { Paths = new[] { Fixtures.Path(Fixtures.Adreno) } }.Run(host));
            Assert.Empty(host.Objects);
        }
    }
}
