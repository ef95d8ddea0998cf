using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using MaceTools.Remote;
using MaceTools.Tests.Operations;

namespace MaceTools.Tests.Adb
{
    /// <summary>The real adb client and server against <see cref="AdbDeviceStandIn"/>, through <see cref="AdbClient"/>.</summary>
    [UnsupportedOSPlatform("windows")]
    public sealed class AdbClientTests : IClassFixture<AdbFixture>
    {
        private readonly AdbFixture adb;

        public AdbClientTests(AdbFixture adb) => this.adb = adb;

        private AdbClient Client => adb.Client;
        private string Serial => adb.Serial;

        [Fact]
        public void Devices_ListsTheStandInOnlineWithItsModel()
        {
            var device = Client.Devices().Single(d => d.Serial == Serial);
            Assert.Equal(adb.Device.Address, device.Serial);
            Assert.Equal("device", device.State);
            Assert.True(device.IsOnline);
            Assert.Equal("MI_9", device.Model); // adb writes spaces in qualifiers as '_'
            Assert.Equal("cepheus", device.Product);
            Assert.Equal("cepheus", device.Device);
            Assert.NotNull(device.TransportId);
            Assert.Equal(Serial, Client.Device(Serial).Serial);
        }

        [Fact]
        public void Identity_ReadsGetpropAndSurfaceFlinger()
        {
            var id = Client.Identity(Serial);
            Assert.Equal("MI 9", id.Model);
            Assert.Equal("MI9", id.DeviceName);
            Assert.Equal("msmnihilo", id.BoardPlatform);
            Assert.Equal("SM8150", id.SocModel);
            Assert.Equal(new[] { "arm64-v8a", "armeabi-v7a", "armeabi" }, id.Abis);
            Assert.Equal(AdbDeviceStandIn.DefaultGles, id.Gpu);
            Assert.Equal(AdbDeviceStandIn.DefaultProfile.OrderBy(p => p.Key), Client.GetProps(Serial).OrderBy(p => p.Key));
        }

        [Fact]
        public void Shell_ReturnsTheRemoteExitCodeAndBothStreams()
        {
            var r = Client.Shell(Serial, "sh", "-c", "echo out; echo err >&2; exit 7");
            Assert.Equal(7, r.ExitCode);
            Assert.Equal("out\n", r.StandardOutput);
            Assert.Equal("err\n", r.StandardError);

            var f = Client.Shell(Serial, "false");
            Assert.Equal(1, f.ExitCode);
            Assert.False(f.Succeeded);
            Assert.Equal(0, Client.Shell(Serial, "true").ExitCode);
        }

        [Fact]
        public void Shell_PassesEveryArgumentVerbatim()
        {
            var argv = new[] { "printf", "%s\\0" }.Concat(HostileStrings.Arguments).Append("").ToArray();
            var r = Client.Shell(Serial, argv);
            AssertNothingRan();
            Assert.Equal(0, r.ExitCode);
            Assert.Equal(HostileStrings.Arguments.Append(""), r.StandardOutput.Split('\0').SkipLast(1));
        }

        [Fact]
        public void PushPull_RoundTripsBytesExactly()
        {
            using var tmp = new TempDir();
            var rng = new Random(20240601);
            // Larger than one 64 KiB sync DATA chunk and one 256 KiB transport payload, and not a multiple of either.
            foreach (int size in new[] { 0, 1, 65536, 300_001 })
            {
                var bytes = new byte[size];
                rng.NextBytes(bytes);
                string local = tmp.File($"in-{size}.bin"), back = tmp.File($"out-{size}.bin");
                File.WriteAllBytes(local, bytes);
                string remote = $"/data/local/tmp/roundtrip/f{size}.bin";
                Client.Push(Serial, local, remote);
                Assert.Equal(bytes, File.ReadAllBytes(adb.Device.HostPath(remote)));
                Client.Pull(Serial, remote, back);
                Assert.Equal(bytes, File.ReadAllBytes(back));
                Assert.Equal(Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant(), Client.Sha256(Serial, remote));
            }
        }

        [Fact]
        public void HostileNames_ArePushedListedHashedAndRemovedWithoutRunningAnything()
        {
            using var tmp = new TempDir();
            // The folder is hostile too: push creates it, rm -rf removes it.
            string dir = "/data/local/tmp/h $(touch PWNED);'d'";
            var hashes = new Dictionary<string, string>();
            for (int i = 0; i < HostileStrings.Names.Length; i++)
            {
                string name = HostileStrings.Names[i];
                // Local names are hostile as well: they reach adb as process arguments.
                string local = tmp.File(name.Replace('/', '_'));
                File.WriteAllText(local, "content " + i);
                hashes[name] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(local))).ToLowerInvariant();
                Client.Push(Serial, local, dir + "/" + name);
            }

            var listed = Client.Shell(Serial, "find", dir, "-mindepth", "1", "-maxdepth", "1", "-print0");
            Assert.Equal(0, listed.ExitCode);
            Assert.Equal(HostileStrings.Names.Select(n => dir + "/" + n).OrderBy(n => n, StringComparer.Ordinal),
                listed.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries).OrderBy(n => n, StringComparer.Ordinal));

            foreach (var name in HostileStrings.Names)
            {
                string remote = dir + "/" + name;
                Assert.Equal(hashes[name], Client.Sha256(Serial, remote));
                string back = tmp.File("back " + name.Replace('/', '_'));
                Client.Pull(Serial, remote, back);
                Assert.Equal(hashes[name], Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(back))).ToLowerInvariant());
                Assert.Equal(0, Client.Shell(Serial, "rm", "--", remote).ExitCode);
            }
            Assert.Equal("", Client.Shell(Serial, "ls", "-A", "--", dir).StandardOutput);
            Assert.Equal(0, Client.Shell(Serial, "rm", "-rf", "--", dir).ExitCode);
            Assert.False(Directory.Exists(adb.Device.HostPath(dir)));
            AssertNothingRan();
        }

        [Fact]
        public void Connect_ToAClosedPort_FailsClearlyAlthoughAdbExitsZero()
        {
            string address = "127.0.0.1:" + AdbFixture.FreePort();
            var e = Assert.Throws<MaceNotReachedException>(() => Client.Connect(address));
            Assert.Equal(ErrorIds.RemoteUnreachable, e.ErrorId);
            Assert.Contains(address, e.Message);
            Assert.Equal(address, e.Target);
        }

        [Fact]
        public void UnknownSerial_FailsClearly()
        {
            const string serial = "127.0.0.1:1";
            foreach (Action call in new Action[]
            {
                () => Client.Shell(serial, "true"),
                () => Client.Device(serial),
                () => Client.Pull(serial, "/data/local/tmp/x", Path.Combine(Path.GetTempPath(), "never-written")),
            })
            {
                var e = Assert.Throws<MaceException>(call);
                Assert.Equal(ErrorIds.DeviceNotFound, e.ErrorId);
                Assert.Contains("'" + serial + "'", e.Message);
                Assert.Contains(Serial, e.Message); // the devices that do exist
            }
        }

        [Fact]
        public void MissingRemoteFile_IsFileNotFoundNamingSerialAndPath()
        {
            using var tmp = new TempDir();
            const string remote = "/data/local/tmp/no such file";
            foreach (Action call in new Action[] { () => Client.Pull(Serial, remote, tmp.File("x")), () => Client.Sha256(Serial, remote) })
            {
                var e = Assert.Throws<MaceException>(call);
                Assert.Equal(ErrorIds.FileNotFound, e.ErrorId);
                Assert.Contains(Serial, e.Message);
                Assert.Contains(remote, e.Message);
            }
        }

        [Fact]
        public void RelativeRemotePath_IsRefused()
        {
            using var tmp = new TempDir();
            string local = tmp.File("a");
            File.WriteAllText(local, "a");
            var e = Assert.Throws<MaceException>(() => Client.Push(Serial, local, "-rf"));
            Assert.Equal(ErrorIds.InvalidArgument, e.ErrorId);
        }

        [Fact]
        public void UnauthorizedDevice_FailsClearly()
        {
            using var locked = new AdbDeviceStandIn(requireAuth: true);
            var client = adb.NewClient();
            client.ConnectTimeout = TimeSpan.FromSeconds(2);
            try
            {
                var e = Assert.Throws<MaceException>(() => client.Connect(locked.Address));
                Assert.Equal(ErrorIds.DeviceUnavailable, e.ErrorId);
                Assert.Contains(locked.Address, e.Message);
                Assert.Contains("unauthorized", e.Message);
                var shell = Assert.Throws<MaceException>(() => client.Shell(locked.Address, "true"));
                Assert.Equal(ErrorIds.DeviceUnavailable, shell.ErrorId);
            }
            finally
            {
                client.Disconnect(locked.Address);
            }
        }

        [Fact]
        public void Shell_WithoutShellV2_StillReturnsTheExitCode()
        {
            using var old = new AdbDeviceStandIn(features: "cmd");
            var client = adb.NewClient();
            string serial = client.Connect(old.Address).Serial;
            try
            {
                Assert.DoesNotContain("shell_v2", client.Features(serial));
                var r = client.Shell(serial, "sh", "-c", "echo out; echo err >&2; exit 7");
                Assert.Equal(7, r.ExitCode);
                Assert.Contains("out\n", r.StandardOutput); // stderr is mixed into stdout without v2
                Assert.Contains("err\n", r.StandardOutput);
                Assert.Equal("no newline", client.Shell(serial, "printf", "%s", "no newline").StandardOutput);
                Assert.Equal(3, client.Shell(serial, "exit", "3").ExitCode);
                var args = client.Shell(serial, new[] { "printf", "%s\\0" }.Concat(HostileStrings.Arguments));
                Assert.Equal(HostileStrings.Arguments, args.StandardOutput.Split('\0').SkipLast(1));
                Assert.False(File.Exists(old.HostPath("/PWNED")));
                Assert.False(File.Exists(old.HostPath("/data/local/tmp/PWNED")));
            }
            finally
            {
                client.Disconnect(old.Address);
            }
        }

        private void AssertNothingRan()
        {
            var canaries = Directory.EnumerateFiles(adb.Device.HostPath("/data"), "PWNED", SearchOption.AllDirectories)
                .Concat(Directory.EnumerateFiles(adb.Device.Root, "PWNED", SearchOption.TopDirectoryOnly));
            Assert.Empty(canaries);
        }
    }
}
