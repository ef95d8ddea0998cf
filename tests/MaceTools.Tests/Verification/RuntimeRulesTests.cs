using System.Linq;
using MaceTools.Formats;
using MaceTools.Operations;
using MaceTools.Tests.Operations;
using MaceTools.Verification;

namespace MaceTools.Tests.Verification
{
    public class RuntimeRulesTests
    {
        private static MaceProgram G2(params KvRecord[] records) => MaceProgram.FromBytes(MaceFileCodec.EncodeToArray(MaceFileContent.Canonical(records), MaceFileFormat.G2), "mem.bin");
        private static readonly byte[] Bin = { 0x1e, 0, 0, 0, 1, 2, 3 };
        private const string Adreno640 = "QUALCOMM Snapdragon(TM), FULL_PROFILE, OpenCL 2.0 QUALCOMM build: commit #1 Date: 09/16/19 Mon Remote Branch: quic/a, v1.1.1-0-g8c75d39";

        private static MaceProgram AdrenoCache(string platform, bool hashes = true) => G2(new[]
        {
            KvRecord.Bytes(Keys.PlatformInfo, Keys.Encode(platform)),
            KvRecord.Bytes(Keys.DeviceName, Keys.Encode("Adreno(TM) 640")),
            KvRecord.Bytes("conv_2d -DBIAS", Bin),
        }.Concat(hashes ? new[] { KvRecord.Bytes(Keys.ProgramHashPrefix + "conv_2d -DBIAS", Keys.Encode("0123456789abcdefabcd")) } : new KvRecord[0]).ToArray());

        [Fact]
        public void A_G1_file_for_the_same_build_is_used()
        {
            var v = RuntimeRules.Evaluate(MaceProgram.Load(Fixtures.Path(Fixtures.Adreno)), null);
            Assert.All(v, x => Assert.Equal(RuntimeOutcome.Used, x.Outcome));
        }

        [Fact]
        public void A_G1_file_under_another_MACE_build_is_rebuilt_because_the_platform_string_holds_the_version()
        {
            var v = RuntimeRules.Evaluate(MaceProgram.Load(Fixtures.Path(Fixtures.Adreno)), new MaceTarget { Version = MaceVersion.Parse("v0.10.1-rc4-3-g1234567") });
            Assert.All(v, x => Assert.Equal(RuntimeOutcome.Rebuilt, x.Outcome));
            Assert.All(v, x => Assert.Equal(MaceSymptom.VersionMismatch, x.Symptom));
        }

        [Fact]
        public void A_G1_file_under_v111_fails_its_CRC_and_is_rebuilt()
        {
            var v = RuntimeRules.Evaluate(MaceProgram.Load(Fixtures.Path(Fixtures.Mali)), new MaceTarget { Version = MaceVersion.Parse("v1.1.1-0-g8c75d39") });
            Assert.Contains("CRC32 value of", v.Single(x => x.Usage == MaceFileUsage.Cache).Message);
            Assert.All(v, x => Assert.Equal(RuntimeOutcome.Rebuilt, x.Outcome));
        }

        [Theory]
        [InlineData("v1.0.4", "Paring storage data out of range")]
        [InlineData("v0.10.0", "out-of-bounds")]
        public void A_G2_file_under_a_raw_reader_crashes(string version, string words)
        {
            var v = RuntimeRules.Evaluate(AdrenoCache(Adreno640), new MaceTarget { Version = MaceVersion.Parse(version) });
            Assert.All(v, x => Assert.Equal(RuntimeOutcome.Crashes, x.Outcome));
            Assert.Contains(words, v[0].Message);
        }

        [Fact]
        public void V111_cache_on_another_GPU_is_cleared()
        {
            var v = RuntimeRules.Evaluate(AdrenoCache(Adreno640), new MaceTarget { DeviceName = "Adreno(TM) 650" }).Single(x => x.Usage == MaceFileUsage.Cache);
            Assert.Equal(RuntimeOutcome.Rebuilt, v.Outcome);
            Assert.Equal(MaceSymptom.WrongDevice, v.Symptom);
        }

        [Fact]
        public void V111_cache_on_an_unknown_GPU_is_always_cleared()
        {
            var pocl = G2(KvRecord.Bytes(Keys.PlatformInfo, Keys.Encode("Portable Computing Language, FULL_PROFILE, OpenCL 3.0 PoCL 3.1+debian  Linux, RELOC, v1.1.1-0-g8c75d39")),
                KvRecord.Bytes(Keys.DeviceName, new byte[0]), KvRecord.Bytes("softmax", Bin), KvRecord.Bytes(Keys.ProgramHashPrefix + "softmax", Keys.Encode("x")));
            var v = RuntimeRules.Evaluate(pocl, null);
            Assert.Equal(RuntimeOutcome.Rebuilt, v.Single(x => x.Usage == MaceFileUsage.Cache).Outcome);
            Assert.Equal(RuntimeOutcome.Used, v.Single(x => x.Usage == MaceFileUsage.Precompiled).Outcome);
        }

        [Fact]
        public void V111_adreno_driver_update_is_compatible_by_remote_branch_or_newer_date()
        {
            string newerDriver = "QUALCOMM Snapdragon(TM), FULL_PROFILE, OpenCL 2.0 QUALCOMM build: commit #2 Date: 10/01/19 Mon Remote Branch: quic/b, v1.1.1-0-g8c75d39";
            string olderDriver = "QUALCOMM Snapdragon(TM), FULL_PROFILE, OpenCL 2.0 QUALCOMM build: commit #0 Date: 01/01/19 Mon Remote Branch: quic/c, v1.1.1-0-g8c75d39";
            Assert.Equal(RuntimeOutcome.Used, RuntimeRules.Evaluate(AdrenoCache(Adreno640), new MaceTarget { PlatformInfo = newerDriver }).Single(x => x.Usage == MaceFileUsage.Cache).Outcome);
            Assert.Equal(RuntimeOutcome.Rebuilt, RuntimeRules.Evaluate(AdrenoCache(Adreno640), new MaceTarget { PlatformInfo = olderDriver }).Single(x => x.Usage == MaceFileUsage.Cache).Outcome);
            Assert.Equal(RuntimeOutcome.Rebuilt, RuntimeRules.Evaluate(AdrenoCache(Adreno640), new MaceTarget { PlatformInfo = newerDriver, ReusePolicy = CacheReusePolicy.ReuseNone }).Single(x => x.Usage == MaceFileUsage.Cache).Outcome);
            // The precompiled path wants the exact string.
            Assert.Equal(RuntimeOutcome.Rebuilt, RuntimeRules.Evaluate(AdrenoCache(Adreno640), new MaceTarget { PlatformInfo = newerDriver }).Single(x => x.Usage == MaceFileUsage.Precompiled).Outcome);
        }

        [Fact]
        public void V111_cache_without_program_hashes_rebuilds_those_programs()
        {
            var v = RuntimeRules.Evaluate(AdrenoCache(Adreno640, hashes: false), null).Single(x => x.Usage == MaceFileUsage.Cache);
            Assert.Equal(RuntimeOutcome.Rebuilt, v.Outcome);
            Assert.Contains("1 of 1", v.Message);
        }

        [Fact]
        public void IsCacheCompatible_compares_only_the_third_comma_field_like_MACE()
        {
            // pocl's version holds commas: MACE compares the full target version with a truncated cached one, so never equal.
            string pocl = "Portable Computing Language, FULL_PROFILE, OpenCL 3.0 PoCL 3.1+debian  Linux, RELOC, v1.1.1-0-g8c75d39";
            Assert.False(RuntimeRules.IsCacheCompatible("", "OpenCL 3.0 PoCL 3.1+debian  Linux, RELOC", pocl));
            Assert.True(RuntimeRules.IsCacheCompatible("Mali-G76", "OpenCL 2.1 v1.r20", "ARM Platform, FULL_PROFILE, OpenCL 2.1 v1.r20, v1.1.1-0-g8c75d39"));
        }

        [Fact]
        public void Tuning_file_generations_against_versions()
        {
            var t2 = MaceProgram.Load(Fixtures.Path(Fixtures.PoclTuning));
            Assert.Equal(RuntimeOutcome.Used, RuntimeRules.Evaluate(t2, null).Single().Outcome);
            Assert.Equal(RuntimeOutcome.Crashes, RuntimeRules.Evaluate(t2, new MaceTarget { Version = MaceVersion.Parse("v1.0.4") }).Single().Outcome);
            var t1 = MaceProgram.FromBytes(MaceFileCodec.EncodeToArray(t2.Content.Records, MaceFileFormat.T1), "t1.bin");
            Assert.Equal(RuntimeOutcome.Ignored, RuntimeRules.Evaluate(t1, new MaceTarget { Version = MaceVersion.Parse("v1.1.1") }).Single().Outcome);
        }

        [Fact]
        public void Test_operation_reports_findings_in_the_words_users_know()
        {
            using var dir = new TempDir();
            var records = MaceProgram.Load(Fixtures.Path(Fixtures.Adreno)).Content.Records.ToList();
            records.Add(KvRecord.Bytes("softmax -Dsoftmax=s4wA5uH", System.Text.Encoding.ASCII.GetBytes("CLCC....")));   // a Mali binary among Adreno ones
            records.Add(KvRecord.Bytes("pooling -Dpooling=p453171", new byte[0]));
            MaceFileCodec.WriteFile(dir.File("mixed.bin"), MaceFileContent.Canonical(records), MaceFileFormat.G1, true);
            var host = new RecordingHost(dir.Path);
            new TestProgramOperation { Paths = new[] { "mixed.bin" } }.Run(host);
            var r = host.Of<MaceTestResult>().Single();
            Assert.False(r.Passed);
            Assert.Contains(r.Findings, f => f.Code == "MixedVendors" && f.Symptom == MaceSymptom.WrongDevice);
            Assert.Contains(r.Findings, f => f.Code == "EmptyBinary" && f.Key == "pooling -Dpooling=p453171" && f.Offset > 0);
        }

        [Fact]
        public void Test_operation_turns_a_corrupt_file_into_a_failed_result_with_its_offset()
        {
            using var dir = new TempDir();
            var bytes = MaceFileCodec.EncodeToArray(MaceProgram.Load(Fixtures.Path(Fixtures.Mali)).Content.Records, MaceFileFormat.G2);
            bytes[bytes.Length / 2] ^= 0x40;
            System.IO.File.WriteAllBytes(dir.File("flip.bin"), bytes);
            var host = new RecordingHost(dir.Path);
            new TestProgramOperation { Paths = new[] { "flip.bin" }, Quiet = false }.Run(host);
            var f = host.Of<MaceTestResult>().Single().Findings.Single();
            Assert.Equal(ErrorIds.BadCrc, f.Code);
            Assert.Equal(MaceSymptom.CorruptedFile, f.Symptom);
            Assert.Equal(bytes.Length - 4, f.Offset);

            host = new RecordingHost(dir.Path);
            new TestProgramOperation { Paths = new[] { "flip.bin", Fixtures.Path(Fixtures.Mali) }, Quiet = true }.Run(host);
            Assert.Equal(new object[] { false, true }, host.Objects);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        public void A_G2_file_damaged_in_its_first_bytes_is_still_reported_as_a_bad_CRC(int at)
        {
            var bytes = MaceFileCodec.EncodeToArray(MaceProgram.Load(Fixtures.Path(Fixtures.Mali)).Content.Records, MaceFileFormat.G2);
            bytes[at] ^= 0x21;
            var e = Assert.Throws<MaceFormatException>(() => MaceFileCodec.Decode(bytes, "g2.bin"));
            Assert.Equal(ErrorIds.BadCrc, e.ErrorId);
        }

        [Fact]
        public void A_G1_file_with_a_damaged_count_is_reported_as_a_raw_layout_error()
        {
            var bytes = Fixtures.Bytes(Fixtures.Mali);
            bytes[0] = 0x0A; // 26 -> 10 records: parses, with the rest as trailing bytes
            Assert.Equal(MaceFileFormat.G1, MaceFileCodec.Decode(bytes, "g1.bin").Format);
            bytes[0] = 0xFF;
            bytes[3] = 0x7F; // an impossible count
            Assert.NotEqual(ErrorIds.BadCrc, Assert.Throws<MaceFormatException>(() => MaceFileCodec.Decode(bytes, "g1.bin")).ErrorId);
        }

        [Fact]
        public void Test_warns_about_trailing_bytes_and_duplicates()
        {
            using var dir = new TempDir();
            var recs = new[] { KvRecord.Bytes("a", new byte[] { 0x1e, 0, 0, 0 }), KvRecord.Bytes("a", new byte[] { 0x1e, 0, 0, 0, 9 }) };
            var bytes = MaceFileCodec.EncodeToArray(recs, MaceFileFormat.G1).Concat(new byte[] { 7, 7, 7 }).ToArray();
            System.IO.File.WriteAllBytes(dir.File("t.bin"), bytes);
            var r = TestProgramOperation.Test(dir.File("t.bin"), new MaceTarget());
            Assert.Contains(r.Findings, f => f.Code == "TrailingBytes" && f.Offset == bytes.Length - 3);
            Assert.Contains(r.Findings, f => f.Code == "DuplicateKey");
        }
    }
}
