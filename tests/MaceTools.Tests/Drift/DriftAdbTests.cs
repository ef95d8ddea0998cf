using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using MaceTools.Formats;
using MaceTools.Operations;
using MaceTools.Remote;
using MaceTools.Tests.Adb;
using MaceTools.Tests.Operations;

namespace MaceTools.Tests.Drift
{
    /// <summary>The device files "the app left": built from a real MACE file's entries, changed the way MACE's write-back changes them (§3.4).</summary>
    internal static class DeviceCaches
    {
        public static List<KvRecord> Records(MaceProgram file) => file.Entries.Select(e => KvRecord.Bytes(e.Key, e.GetValue())).ToList();

        public static string[] ProgramKeys(MaceProgram file) => file.Entries.Where(e => e.Kind == MaceEntryKind.Program).Select(e => e.Key).ToArray();

        /// <summary>Another binary under the same key: what a rebuild from source leaves.</summary>
        public static KvRecord Rebuilt(MaceProgram file, string key)
        {
            byte[] value = file.Entries.Single(e => e.Key == key).GetValue();
            value[value.Length / 2] ^= 0x5a;
            return KvRecord.Bytes(key, value);
        }

        public static void Write(string path, IEnumerable<KvRecord> records)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            MaceFileCodec.WriteFile(path, MaceFileContent.Canonical(records), MaceFileFormat.G1, true);
        }

        /// <summary>(b): one program rebuilt with other bytes, and one program our file lacked, built and inserted.</summary>
        public static (string Rebuilt, string Added) PartlyRebuilt(MaceProgram ours, string path)
        {
            string rebuilt = ProgramKeys(ours)[3];
            const string added = "buffer_to_image -Dbuffer_to_image=b2i_extra -DDATA_TYPE=half";
            var records = Records(ours).Select(r => r.Key == rebuilt ? Rebuilt(ours, rebuilt) : r).ToList();
            records.Add(KvRecord.Bytes(added, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }));
            Write(path, records);
            return (rebuilt, added);
        }

        /// <summary>(c): a newer driver's platform info; MACE cleared the cache and rebuilt the three programs the app used.</summary>
        public static string[] OtherPlatform(MaceProgram ours, string path)
        {
            var used = ProgramKeys(ours).Take(3).ToArray();
            string platform = ours.PlatformInfo!.Replace("Date: 09/16/19", "Date: 03/02/21");
            Write(path, new[] { KvRecord.Bytes(Keys.PlatformInfo, Keys.Encode(platform)) }.Concat(used.Select(k => Rebuilt(ours, k))));
            return used;
        }
    }

    /// <summary>Compare-MaceProgram against an adb device: the real adb client and server and <see cref="AdbDeviceStandIn"/> (a MI 9, SM8150).</summary>
    [UnsupportedOSPlatform("windows")]
    public sealed class DriftAdbTests : IClassFixture<AdbFixture>, IDisposable
    {
        private readonly AdbFixture adb;
        private readonly TempDir tmp = new TempDir();
        // Each test has a device folder of its own, so the tests sharing the stand-in never see each other's files.
        private readonly string dir = "/data/local/tmp/drift" + Guid.NewGuid().ToString("N").Substring(0, 8);
        private readonly string ourFile;
        private readonly MaceProgram ours;

        public DriftAdbTests(AdbFixture adb)
        {
            this.adb = adb;
            ourFile = tmp.File("mace_compiled_opencl_kernel.MI9.sm8150.bin");
            File.Copy(Fixtures.Path(Fixtures.Adreno), ourFile);
            ours = MaceProgram.Load(ourFile);
        }

        public void Dispose() => tmp.Dispose();

        private string CachePath => dir + "/interior/" + MaceInventory.ProgramFileName;

        private string Inventory(string? programPath = null, string extra = "")
        {
            string path = tmp.File("devices.yml");
            File.WriteAllText(path, $"devices:\n  phone:\n    transport: adb\n    serial: {adb.Serial}\n    models: MI 9\n    target_socs: sm8150\n" +
                $"    program_path: {programPath ?? CachePath}\n" + extra);
            return path;
        }

        private RecordingHost Compare(string inventory, string? remotePath = null, params string[] files)
        {
            var host = new RecordingHost(tmp.Path);
            new CompareProgramOperation
            {
                Paths = files.Length == 0 ? new[] { ourFile } : files, LiteralPaths = true, Inventory = inventory, RemotePath = remotePath, Adb = adb.Client,
            }.Run(host);
            return host;
        }

        private void Publish(string inventory)
        {
            var host = new RecordingHost();
            new PublishProgramOperation { Paths = new[] { ourFile }, LiteralPaths = true, Inventory = inventory, Adb = adb.Client }.Run(host);
            Assert.Equal(PublishStatus.Published, Assert.Single(host.Of<PublishResult>()).Status);
        }

        [Fact]
        public void Drift_Adb_PublishedFileUntouched_IsKept_AndTheFileNamedForTheDeviceIsPicked()
        {
            string inventory = Inventory();
            Publish(inventory);
            // Another device's file beside ours: the device's name picks ours, as Publish does.
            string other = tmp.File("mace_compiled_opencl_kernel.Pixel4.sm8150.bin");
            DeviceCaches.Write(other, DeviceCaches.Records(ours).Take(5));

            var host = Compare(inventory, null, ourFile, other);

            Assert.Empty(host.Errors);
            var r = Assert.Single(host.Of<MaceDriftResult>());
            Assert.Equal(DriftVerdict.Kept, r.Verdict);
            Assert.Equal("phone", r.Device);
            Assert.Equal(ourFile, r.OurFile);
            Assert.Equal(CachePath, r.DeviceFile);
            Assert.True(r.UsedAsCache);
            Assert.Equal(ours.Sha256, r.DeviceFileSha256);
            Assert.Equal(ours.ProgramCount, r.Kept);
            Assert.Equal(0, r.Rebuilt + r.Missing + r.Added);
            Assert.Equal("DeviceCacheUnchanged", Assert.Single(r.Findings).Code);
        }

        [Fact]
        public void Drift_Adb_OneEntryRebuiltAndOneAdded_IsPartlyRebuilt_AndNamesTheKeys()
        {
            string inventory = Inventory();
            Publish(inventory);
            // The app ran: MACE rebuilt one program and added one our file lacked, then flushed over our file.
            var (rebuilt, added) = DeviceCaches.PartlyRebuilt(ours, adb.Device.HostPath(CachePath));

            var r = Assert.Single(Compare(inventory).Of<MaceDriftResult>());

            Assert.Equal(DriftVerdict.PartlyRebuilt, r.Verdict);
            Assert.Equal(new[] { rebuilt }, r.RebuiltKeys);
            Assert.Equal(new[] { added }, r.AddedKeys);
            Assert.Empty(r.MissingKeys);
            Assert.Equal(ours.ProgramCount - 1, r.Kept);
            Assert.Equal(Hashing.Sha256Hex(File.ReadAllBytes(adb.Device.HostPath(CachePath))), r.DeviceFileSha256);
            var rebuiltFinding = Assert.Single(r.Findings, f => f.Code == "EntryRebuilt");
            Assert.Equal(rebuilt, rebuiltFinding.Key);
            Assert.Contains(rebuilt, rebuiltFinding.Message);
            Assert.Equal(added, Assert.Single(r.Findings, f => f.Code == "EntryAdded").Key);
            Assert.DoesNotContain(r.Findings, f => f.Code == "PlatformChanged" || f.Code == "FileDropped");
        }

        [Fact]
        public void Drift_Adb_WrittenWithAnotherPlatform_IsRebuilt_AndSaysMaceDroppedTheFile()
        {
            string inventory = Inventory();
            Publish(inventory);
            var used = DeviceCaches.OtherPlatform(ours, adb.Device.HostPath(CachePath));

            var r = Assert.Single(Compare(inventory).Of<MaceDriftResult>());

            Assert.Equal(DriftVerdict.Rebuilt, r.Verdict);
            Assert.Equal(used, r.RebuiltKeys);
            Assert.Equal(ours.ProgramCount - used.Length, r.Missing);
            Assert.Equal(0, r.Kept);
            Assert.NotEqual(ours.PlatformInfo, r.DevicePlatformInfo);
            Assert.Contains(r.Findings, f => f.Code == "PlatformChanged" && f.Message.Contains("Date: 03/02/21"));
            var dropped = Assert.Single(r.Findings, f => f.Code == "FileDropped");
            Assert.Equal(FindingSeverity.Error, dropped.Severity);
            Assert.Contains("dropped our file", dropped.Message);
        }

        [Fact]
        public void Drift_Adb_NoCacheFile_IsNoDeviceCache_ThenARemotePathOverrideReadsPrecompiledUse()
        {
            // Our file is MACE's precompiled file here, so the cache is another file that the app has not written yet.
            string precompiled = dir + "/precompiled/mace_compiled_opencl_kernel.MI9.sm8150.bin";
            string inventory = Inventory(precompiled);
            Publish(inventory);

            var r = Assert.Single(Compare(inventory).Of<MaceDriftResult>());
            Assert.Equal(DriftVerdict.NoDeviceCache, r.Verdict);
            Assert.Equal(dir + "/precompiled/" + MaceInventory.ProgramFileName, r.DeviceFile);
            Assert.False(r.UsedAsCache);
            Assert.Null(r.DeviceFileSha256);
            Assert.Contains(r.DeviceFile, Assert.Single(r.Findings, f => f.Code == "NoDeviceCache").Message);

            // The app's storage folder is elsewhere: MACE's cache there holds only the one program it rebuilt.
            string cache = dir + "/app storage/" + MaceInventory.ProgramFileName;
            string key = DeviceCaches.ProgramKeys(ours)[0];
            DeviceCaches.Write(adb.Device.HostPath(cache), new[] { KvRecord.Bytes(Keys.PlatformInfo, Keys.Encode(ours.PlatformInfo!)), DeviceCaches.Rebuilt(ours, key) });
            r = Assert.Single(Compare(inventory, cache).Of<MaceDriftResult>());
            Assert.Equal(DriftVerdict.PartlyRebuilt, r.Verdict);
            Assert.Equal(cache, r.DeviceFile);
            Assert.Equal(new[] { key }, r.RebuiltKeys);
            // Precompiled programs are not copied into v1.1.1's cache: absent is not drift.
            Assert.All(r.Findings.Where(f => f.Code == "EntryMissing"), f => Assert.Equal(FindingSeverity.Information, f.Severity));
        }

        [Fact]
        public void Drift_Adb_UnreachableTarget_IsAnErrorNamingIt_OthersStillCompared()
        {
            Publish(Inventory());
            string inventory = Inventory(null, "  gone:\n    transport: adb\n    serial: 127.0.0.1:1\n    models: MI 9\n    target_socs: sm8150\n");

            var host = Compare(inventory);

            Assert.Equal("phone", Assert.Single(host.Of<MaceDriftResult>()).Device);
            var e = Assert.Single(host.Errors);
            Assert.Equal("gone", e.Target);
            Assert.StartsWith("gone", e.Message);
            Assert.Contains(MaceInventory.ProgramFileName, e.Message);
        }

        [Fact]
        public void Drift_TwoFilesNoneNamedForTheDevice_IsAnIdentityErrorNamingIt()
        {
            string a = tmp.File("mace_compiled_opencl_kernel.Pixel4.sm8150.bin"), b = tmp.File("plain.bin");
            File.Copy(ourFile, a);
            File.Copy(ourFile, b);
            var host = Compare(Inventory(), null, a, b);
            Assert.Empty(host.Objects);
            var e = Assert.Single(host.Errors);
            Assert.Equal(ErrorIds.IdentityMismatch, e.ErrorId);
            Assert.StartsWith("phone: none of the program files", e.Message);
        }
    }

    /// <summary>The comparison without a device: the identity rules of §2.4/§2.5.</summary>
    public sealed class DriftCompareTests
    {
        private static readonly MaceProgram Ours = MaceProgram.Load(Fixtures.Path(Fixtures.Adreno));

        private static MaceProgram File(IEnumerable<KvRecord> records) =>
            MaceProgram.FromBytes(MaceFileCodec.EncodeToArray(MaceFileContent.Canonical(records), MaceFileFormat.G1), "/dev/cache.bin");

        [Fact]
        public void Drift_Precompiled_OtherPlatform_IsRebuilt_MaceIgnoredTheFile()
        {
            var theirs = File(new[] { KvRecord.Bytes(Keys.PlatformInfo, Keys.Encode(Ours.PlatformInfo + "x")) });
            var r = DriftCheck.Compare(Ours, theirs, "phone", "/dev/cache.bin", usedAsCache: false);
            Assert.Equal(DriftVerdict.Rebuilt, r.Verdict);
            Assert.Contains("ignored our precompiled file", Assert.Single(r.Findings, f => f.Code == "FileDropped").Message);
        }

        [Fact]
        public void Drift_Cache_SamePlatformEntriesGone_IsPartlyRebuilt_WithMissingWarnings()
        {
            var keep = DeviceCaches.ProgramKeys(Ours).Take(10).ToHashSet();
            var theirs = File(DeviceCaches.Records(Ours).Where(r => r.Key == Keys.PlatformInfo || keep.Contains(r.Key)));
            var r = DriftCheck.Compare(Ours, theirs, "phone", "/dev/cache.bin", usedAsCache: true);
            Assert.Equal(DriftVerdict.PartlyRebuilt, r.Verdict);
            Assert.Equal(10, r.Kept);
            Assert.Equal(Ours.ProgramCount - 10, r.Missing);
            Assert.All(r.Findings.Where(f => f.Code == "EntryMissing"), f => Assert.Equal(FindingSeverity.Warning, f.Severity));
        }

        [Fact]
        public void Drift_ProgramHashChanged_SaysTheKernelSourceDiffers()
        {
            const string key = "conv_2d -DBIAS";
            MaceProgram Make(string hash, byte[] bin) => File(new[]
            {
                KvRecord.Bytes(Keys.PlatformInfo, Keys.Encode("QUALCOMM Snapdragon(TM), FULL_PROFILE, OpenCL 2.0 , v1.1.1-0-g8c75d39")),
                KvRecord.Bytes(key, bin), KvRecord.Bytes(Keys.ProgramHashPrefix + key, Keys.Encode(hash)),
            });
            var r = DriftCheck.Compare(Make("aaaa", new byte[] { 1, 2, 3 }), Make("bbbb", new byte[] { 4, 5, 6 }), "phone", "/dev/cache.bin", usedAsCache: true);
            Assert.Equal(DriftVerdict.Rebuilt, r.Verdict);
            Assert.Contains("program_hash_ changed", Assert.Single(r.Findings, f => f.Code == "EntryRebuilt").Message);
            Assert.DoesNotContain(r.Findings, f => f.Code == "FileDropped"); // same identity: not dropped, rebuilt entry by entry
        }
    }
}
