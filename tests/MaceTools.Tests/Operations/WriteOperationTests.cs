using System.IO;
using System.Linq;
using MaceTools.Formats;
using MaceTools.Operations;

namespace MaceTools.Tests.Operations
{
    public class WriteOperationTests
    {
        [Fact]
        public void Convert_G1_to_G2_and_back_gives_the_original_bytes()
        {
            using var dir = new TempDir();
            var host = new RecordingHost(dir.Path);
            new ConvertProgramOperation { Paths = new[] { Fixtures.Path(Fixtures.Adreno) }, To = MaceFileFormat.G2, Destination = "a.g2.bin" }.Run(host);
            var g2 = host.Of<MaceProgram>().Single();
            Assert.Equal(MaceFileFormat.G2, g2.Generation);
            Assert.Equal(29, g2.EntryCount);
            new ConvertProgramOperation { Paths = new[] { dir.File("a.g2.bin") }, To = MaceFileFormat.G1, Destination = "a.g1.bin" }.Run(host);
            Assert.Empty(host.Errors);
            Assert.Equal(Fixtures.Bytes(Fixtures.Adreno), File.ReadAllBytes(dir.File("a.g1.bin")));
        }

        [Fact]
        public void Convert_of_a_tuning_file_to_G1_means_T1()
        {
            using var dir = new TempDir();
            var host = new RecordingHost(dir.Path);
            new ConvertProgramOperation { Paths = new[] { Fixtures.Path(Fixtures.PoclTuning) }, To = MaceFileFormat.G1, Destination = "t.bin", KeepOrder = true }.Run(host);
            Assert.Equal(MaceFileFormat.T1, host.Of<MaceProgram>().Single().Generation);
            new ConvertProgramOperation { Paths = new[] { dir.File("t.bin") }, To = MaceFileFormat.T2, Destination = "t2.bin", KeepOrder = true }.Run(host);
            Assert.Equal(Fixtures.Bytes(Fixtures.PoclTuning), File.ReadAllBytes(dir.File("t2.bin")));
        }

        [Fact]
        public void Convert_for_a_MACE_version_rewrites_the_platform_version_and_generation()
        {
            using var dir = new TempDir();
            var host = new RecordingHost(dir.Path);
            new ConvertProgramOperation
            {
                Paths = new[] { Fixtures.Path(Fixtures.Mali) }, MaceVersion = MaceVersion.Parse("v1.1.1-0-g8c75d39"),
                DeviceName = "Mali-G76", Destination = "m.bin",
            }.Run(host);
            var p = host.Of<MaceProgram>().Single();
            Assert.Equal(MaceFileFormat.G2, p.Generation);
            Assert.Equal("ARM Platform, FULL_PROFILE, OpenCL 2.1 v1.r20p0-01rel0.3c1c24cb7710121ad59f6bdaee909f9f, v1.1.1-0-g8c75d39", p.PlatformInfo);
            Assert.Equal("Mali-G76", p.DeviceName);
            // As a precompiled file the v1.1.1 runtime on that device now accepts it.
            var verdict = MaceTools.Verification.RuntimeRules.Evaluate(p, null).Single(v => v.Usage == MaceFileUsage.Precompiled);
            Assert.Equal(RuntimeOutcome.Used, verdict.Outcome);
        }

        [Fact]
        public void Several_inputs_go_into_a_new_directory_never_onto_one_file()
        {
            using var dir = new TempDir();
            dir.Copy(Fixtures.Adreno);
            dir.Copy(Fixtures.Mali);
            var host = new RecordingHost(dir.Path);
            new ConvertProgramOperation { Paths = new[] { "*.mace_cl_compiled_program.bin" }, To = MaceFileFormat.G2, Destination = "g2" }.Run(host);
            Assert.Empty(host.Errors);
            Assert.Equal(2, Directory.GetFiles(dir.File("g2")).Length);

            // One operation fed file by file (a pipeline) refuses a second write to the same file.
            var op = new ConvertProgramOperation { To = MaceFileFormat.G2, Destination = "one.bin", LiteralPaths = true };
            op.Paths = new[] { Fixtures.Path(Fixtures.Adreno) };
            op.Run(host);
            op.Paths = new[] { Fixtures.Path(Fixtures.Mali) };
            op.Run(host);
            Assert.Equal(ErrorIds.OutputExists, Assert.Single(host.Errors).ErrorId);
            Assert.Equal(29, MaceProgram.Load(dir.File("one.bin")).EntryCount);
        }

        [Fact]
        public void A_destination_ending_in_a_separator_is_a_directory()
        {
            using var dir = new TempDir();
            var host = new RecordingHost(dir.Path);
            new ConvertProgramOperation { Paths = new[] { Fixtures.Path(Fixtures.Mali) }, To = MaceFileFormat.G2, Destination = "out/" }.Run(host);
            Assert.True(File.Exists(Path.Combine(dir.File("out"), Fixtures.Mali)));
        }

        [Fact]
        public void WhatIf_writes_nothing()
        {
            using var dir = new TempDir();
            var host = new RecordingHost(dir.Path, shouldProcess: false);
            new ConvertProgramOperation { Paths = new[] { Fixtures.Path(Fixtures.Mali) }, To = MaceFileFormat.G2, Destination = "x.bin" }.Run(host);
            Assert.False(File.Exists(dir.File("x.bin")));
            Assert.Contains("G2", Assert.Single(host.ShouldProcessCalls).Action);
            Assert.Empty(host.Objects);
            Assert.Empty(Directory.GetFiles(dir.Path));
        }

        [Fact]
        public void NoClobber_keeps_an_existing_file_and_says_so()
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.File("x.bin"), "keep me");
            var host = new RecordingHost(dir.Path);
            new ConvertProgramOperation { Paths = new[] { Fixtures.Path(Fixtures.Mali) }, To = MaceFileFormat.G2, Destination = "x.bin", NoClobber = true }.Run(host);
            Assert.Equal(ErrorIds.OutputExists, Assert.Single(host.Errors).ErrorId);
            Assert.Equal("keep me", File.ReadAllText(dir.File("x.bin")));
        }

        [Fact]
        public void A_failed_write_leaves_the_old_file_and_no_temporary_file()
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.File("x.bin"), "old");
            Assert.Throws<System.InvalidOperationException>(() =>
                FileIO.WriteAtomic(dir.File("x.bin"), s => { s.WriteByte(1); throw new System.InvalidOperationException("disk full"); }, overwrite: true));
            Assert.Equal("old", File.ReadAllText(dir.File("x.bin")));
            Assert.Single(Directory.GetFiles(dir.Path));
        }

        [Fact]
        public void Convert_of_a_corrupt_file_writes_nothing()
        {
            using var dir = new TempDir();
            File.WriteAllBytes(dir.File("bad.bin"), Fixtures.Bytes(Fixtures.Mali).Take(5000).ToArray());
            var host = new RecordingHost(dir.Path);
            new ConvertProgramOperation { Paths = new[] { "bad.bin" }, To = MaceFileFormat.G2, Destination = "out.bin" }.Run(host);
            Assert.IsType<MaceFormatException>(Assert.Single(host.Errors));
            Assert.False(File.Exists(dir.File("out.bin")));
        }

        [Fact]
        public void Merge_refuses_conflicting_platform_info_unless_forced()
        {
            using var dir = new TempDir();
            var host = new RecordingHost(dir.Path);
            var op = new MergeProgramOperation { Paths = new[] { Fixtures.Path(Fixtures.Adreno), Fixtures.Path(Fixtures.Mali) }, Destination = "m.bin" };
            var e = Assert.Throws<MaceException>(() => op.Run(host));
            Assert.Equal(ErrorIds.PlatformConflict, e.ErrorId);
            Assert.Contains("QUALCOMM", e.Message);
            Assert.False(File.Exists(dir.File("m.bin")));

            op.Force = true;
            op.Run(host);
            var merged = host.Of<MaceProgram>().Single();
            Assert.Contains(host.Warnings, w => w.Contains("differs"));
            // Later files win: the platform info is the Mali one; keys are the union, sorted.
            Assert.StartsWith("ARM Platform", merged.PlatformInfo);
            var keys = merged.Entries.Select(x => x.Key).ToList();
            Assert.Equal(keys.OrderBy(k => k, System.StringComparer.Ordinal), keys);
            int union = Fixtures.Path(Fixtures.Adreno).Length > 0 ? MaceProgram.Load(Fixtures.Path(Fixtures.Adreno)).Entries.Select(x => x.Key)
                .Union(MaceProgram.Load(Fixtures.Path(Fixtures.Mali)).Entries.Select(x => x.Key)).Count() : 0;
            Assert.Equal(union, merged.EntryCount);
        }

        [Fact]
        public void Merge_of_the_same_identity_later_file_wins()
        {
            using var dir = new TempDir();
            var a = new[] { KvRecord.Bytes(Keys.PlatformInfo, Keys.Encode("P, FULL_PROFILE, OpenCL 2.0 x, v1.0.4")), KvRecord.Bytes("k1", new byte[] { 1 }), KvRecord.Bytes("k2", new byte[] { 2 }) };
            var b = new[] { KvRecord.Bytes(Keys.PlatformInfo, Keys.Encode("P, FULL_PROFILE, OpenCL 2.0 x, v1.0.4")), KvRecord.Bytes("k2", new byte[] { 9 }) };
            MaceFileCodec.WriteFile(dir.File("a.bin"), a, MaceFileFormat.G1, true);
            MaceFileCodec.WriteFile(dir.File("b.bin"), b, MaceFileFormat.G1, true);
            var host = new RecordingHost(dir.Path);
            new MergeProgramOperation { Paths = new[] { "a.bin", "b.bin" }, Destination = "m.bin", To = MaceFileFormat.G2 }.Run(host);
            var m = host.Of<MaceProgram>().Single();
            Assert.Equal(MaceFileFormat.G2, m.Generation);
            Assert.Equal(new byte[] { 9 }, m.Entries.Single(e => e.Key == "k2").GetValue());
            Assert.Equal(new byte[] { 1 }, m.Entries.Single(e => e.Key == "k1").GetValue());
        }

        [Fact]
        public void Merge_refuses_programs_with_tuning()
        {
            var host = new RecordingHost();
            var op = new MergeProgramOperation { Paths = new[] { Fixtures.Path(Fixtures.Mali), Fixtures.Path(Fixtures.PoclTuning) }, Destination = "/tmp/never.bin" };
            Assert.Equal(ErrorIds.KindMismatch, Assert.Throws<MaceException>(() => op.Run(host)).ErrorId);
        }

        [Fact]
        public void Export_cpp_embeds_the_file_verbatim_with_MACEs_function_names()
        {
            var host = new RecordingHost();
            new ExportProgramOperation { Paths = new[] { Fixtures.Path(Fixtures.PoclTuning) } }.Run(host);
            string cpp = host.Of<string>().Single();
            Assert.Contains("const unsigned char *LoadOpenCLParameter() {", cpp);
            Assert.Contains("size_t OpenCLParameterSize() {\n  return 703;", cpp);
            Assert.Contains("namespace mace {", cpp);
            Assert.Equal(Fixtures.Bytes(Fixtures.PoclTuning), ParseCppBytes(cpp));

            host = new RecordingHost();
            new ExportProgramOperation { Paths = new[] { Fixtures.Path(Fixtures.Mali) } }.Run(host);
            cpp = host.Of<string>().Single();
            Assert.Contains("const unsigned char *LoadOpenCLBinary() {", cpp);
            Assert.Equal(Fixtures.Bytes(Fixtures.Mali), ParseCppBytes(cpp));
        }

        [Fact]
        public void Export_refuses_a_function_name_that_is_not_an_identifier()
        {
            var host = new RecordingHost();
            new ExportProgramOperation { Paths = new[] { Fixtures.Path(Fixtures.Mali) }, LoadFunction = "x(); system(\"rm\")" }.Run(host);
            Assert.Equal(ErrorIds.InvalidArgument, Assert.Single(host.Errors).ErrorId);
        }

        [Fact]
        public void Export_text_is_a_protobuf_text_view()
        {
            var host = new RecordingHost();
            new ExportProgramOperation { Paths = new[] { Fixtures.Path(Fixtures.PoclTuning) }, Format = ExportFormat.Text }.Run(host);
            string text = host.Of<string>().Single();
            Assert.Contains("key: \"MACE_OPENCL_QUEUE_WINDOW_SIZE\"\n  uint32s_value: 0\n", text);
            Assert.Contains("# conv2d_1x1_opencl_kernel_1_16_16_16", text);
            Assert.Equal(16, text.Split("pairs {").Length - 1);
        }

        private static byte[] ParseCppBytes(string cpp)
        {
            int start = cpp.IndexOf("kData[", System.StringComparison.Ordinal);
            int open = cpp.IndexOf('{', start), close = cpp.IndexOf("};", open, System.StringComparison.Ordinal);
            return cpp.Substring(open + 1, close - open - 1).Split(',').Select(s => s.Trim()).Where(s => s.Length > 0)
                .Select(s => System.Convert.ToByte(s, 16)).ToArray();
        }
    }
}
