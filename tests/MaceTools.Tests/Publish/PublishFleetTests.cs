using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using MaceTools.Operations;
using MaceTools.Remote;
using MaceTools.Tests.Cli;
using MaceTools.Tests.Operations;
using MaceTools.Tests.Remote;

namespace MaceTools.Tests.Publish
{
    /// <summary>Publish-MaceProgram against the real sshd fleet: good1, good2, down, full (64 KiB tmpfs), changed (host key).</summary>
    [Collection(SshFleetCollection.Name)]
    public sealed class PublishFleetTests : IDisposable
    {
        private readonly SshFleet fleet;
        private readonly TempDir tmp = new TempDir();
        // Each test publishes below a folder of its own on every host, so tests sharing the fleet never see each other's files.
        private readonly string sub = "t" + Guid.NewGuid().ToString("N").Substring(0, 8);

        public PublishFleetTests(SshFleet fleet) => this.fleet = fleet;

        public void Dispose()
        {
            foreach (var h in fleet.Hosts)
                try { Directory.Delete(Path.Combine(h.UploadDir, sub), true); } catch (IOException) { }
            tmp.Dispose();
        }

        private string Dest(string host, string file = MaceInventory.ProgramFileName) => Path.Combine(fleet[host].UploadDir, sub, file);

        /// <summary>The fleet's devices.yml with every device path moved into this test's folder (next to the original: key paths are relative).</summary>
        private string Inventory(Func<FleetHost, string>? programPath = null)
        {
            var text = File.ReadAllText(fleet.DevicesYml);
            foreach (var h in fleet.Hosts)
            {
                text = text.Replace(h.UploadDir + "/", h.UploadDir + "/" + sub + "/");
                if (programPath != null)
                    text = text.Replace($"program_path: {h.UploadDir}/{sub}/{MaceInventory.ProgramFileName}", "program_path: '" + programPath(h).Replace("'", "''") + "'");
            }
            string path = Path.Combine(fleet.Dir, $"devices-{sub}.yml");
            File.WriteAllText(path, text);
            return path;
        }

        /// <summary>A copy of a fixture under MACE's name for a fleet host (device_name "TestBoard&lt;host&gt;", soc RK3399).</summary>
        private string NamedFor(string host, string fixture = Fixtures.Adreno)
        {
            string infix = fixture == Fixtures.PoclTuning ? "tuned_opencl_parameter" : "compiled_opencl_kernel";
            string path = tmp.File($"mace_{infix}.TestBoard{host}.RK3399.bin");
            File.Copy(Fixtures.Path(fixture), path, true);
            return path;
        }

        private byte[] Seed(string host, int size = 1000)
        {
            var bytes = new byte[size];
            new Random(size).NextBytes(bytes);
            Directory.CreateDirectory(Path.GetDirectoryName(Dest(host))!);
            File.WriteAllBytes(Dest(host), bytes);
            return bytes;
        }

        private PublishProgramOperation Op(string inventory, params string[] files) =>
            new PublishProgramOperation { Paths = files, LiteralPaths = true, Inventory = inventory };

        private static string Sha(byte[] b) => Convert.ToHexString(SHA256.HashData(b)).ToLowerInvariant();

        private IEnumerable<string> TempFiles() => fleet.Hosts.Where(h => Directory.Exists(Path.Combine(h.UploadDir, sub)))
            .SelectMany(h => Directory.EnumerateFiles(Path.Combine(h.UploadDir, sub), "*", SearchOption.AllDirectories)).Where(f => f.EndsWith(".tmp", StringComparison.Ordinal));

        [Fact]
        public void Publish_Fleet_GoodHostsGetTheFile_OthersFailPrecisely_NoneLeftPartialOrMissing()
        {
            byte[] old1 = Seed("good1"), oldFull = Seed("full", 2000);
            var files = new[] { "good1", "good2", "down", "full", "changed" }.Select(h => NamedFor(h)).ToArray();
            byte[] program = Fixtures.Bytes(Fixtures.Adreno);
            var host = new RecordingHost();

            Op(Inventory(), files).Run(host);

            var r = host.Of<PublishResult>().ToDictionary(x => x.Device);
            Assert.Equal(5, r.Count);
            Assert.All(r.Values, x => Assert.Equal(PublishKind.Program, x.Kind));

            Assert.Equal(PublishStatus.Published, r["good1"].Status);
            Assert.Equal(program, File.ReadAllBytes(Dest("good1")));
            Assert.Equal(Sha(program), r["good1"].Sha256);
            Assert.Equal(Sha(old1), r["good1"].PreviousSha256);
            Assert.Equal(Dest("good1") + ".bak", r["good1"].Backup);
            Assert.Equal(old1, File.ReadAllBytes(Dest("good1") + ".bak"));

            Assert.Equal(PublishStatus.Published, r["good2"].Status);
            Assert.Equal(program, File.ReadAllBytes(Dest("good2")));
            Assert.Null(r["good2"].PreviousSha256);
            Assert.Null(r["good2"].Backup);

            Assert.Equal(PublishStatus.Failed, r["down"].Status);
            Assert.Equal(ErrorIds.RemoteUnreachable, r["down"].ErrorId);
            Assert.Contains("down (", r["down"].Error);

            Assert.Equal(PublishStatus.Failed, r["changed"].Status);
            Assert.Equal(ErrorIds.RemoteHostKeyChanged, r["changed"].ErrorId);
            Assert.Contains("changed (", r["changed"].Error);
            Assert.False(File.Exists(Dest("changed")));

            Assert.Equal(PublishStatus.Failed, r["full"].Status);
            Assert.Equal(ErrorIds.RemoteCommandFailed, r["full"].ErrorId);
            Assert.Contains("No space left", r["full"].Error);
            Assert.Contains("full (", r["full"].Error);
            Assert.Equal(oldFull, File.ReadAllBytes(Dest("full")));
            Assert.Equal(Sha(oldFull), r["full"].PreviousSha256);

            Assert.Empty(TempFiles());
            // Each failed target is an error record (its result's id, the device as target), not a warning.
            Assert.Empty(host.Warnings);
            Assert.Equal(new[] { "changed", "down", "full" }, host.Errors.Select(e => (string)e.Target!).OrderBy(t => t, System.StringComparer.Ordinal));
            Assert.All(host.Errors, e => Assert.Equal(r[(string)e.Target!].ErrorId, e.ErrorId));
            // Progress per target (its own activity id) and one overall activity.
            Assert.Equal(6, host.Progress.Select(p => p.ActivityId).Distinct().Count());
        }

        [Fact]
        public void Publish_SameFileAgain_IsUnchangedAndUploadsNothing()
        {
            string file = NamedFor("good1");
            string inventory = Inventory();
            Op(inventory, file).Run(new RecordingHost());
            var op = Op(inventory, file);
            op.Targets = new[] { "good1" };
            var host = new RecordingHost();
            op.Run(host);
            var r = Assert.Single(host.Of<PublishResult>());
            Assert.Equal(PublishStatus.Unchanged, r.Status);
            Assert.Equal(r.Sha256, r.PreviousSha256);
            Assert.Null(r.Backup);
            Assert.False(File.Exists(Dest("good1") + ".bak"));
        }

        [Fact]
        public void Publish_FileForAnotherDevice_IsRefusedWithoutForce_AndPublishedWithIt()
        {
            string file = NamedFor("good2");
            var op = Op(Inventory(), file);
            op.Targets = new[] { "good1" };
            var host = new RecordingHost();
            op.Run(host);
            var r = Assert.Single(host.Of<PublishResult>());
            Assert.Equal(PublishStatus.Failed, r.Status);
            Assert.Equal(ErrorIds.IdentityMismatch, r.ErrorId);
            Assert.Contains("is for device TestBoardgood2 soc RK3399", r.Error);
            Assert.Contains("good1 is TestBoardgood1/RK3399", r.Error);
            Assert.Contains("-Force", r.Error);
            Assert.Empty(host.ShouldProcessCalls);
            Assert.False(Directory.Exists(Path.GetDirectoryName(Dest("good1"))));

            op.Force = true;
            host = new RecordingHost();
            op.Run(host);
            Assert.Equal(PublishStatus.Published, Assert.Single(host.Of<PublishResult>()).Status);
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Dest("good1")));
        }

        [Fact]
        public void Publish_FileWithoutMaceName_NeedsForce()
        {
            string file = tmp.Copy(Fixtures.Mali);
            var op = Op(Inventory(), file);
            op.Targets = new[] { "good*" };
            var host = new RecordingHost();
            op.Run(host);
            Assert.All(host.Of<PublishResult>(), r => Assert.Contains("has no MACE device name", r.Error));
            Assert.Equal(2, host.Of<PublishResult>().Count(r => r.Status == PublishStatus.Failed));

            op.Force = true;
            host = new RecordingHost();
            op.Run(host);
            Assert.Equal(2, host.Of<PublishResult>().Count(r => r.Status == PublishStatus.Published));
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Dest("good2")));
        }

        [Fact]
        public void Publish_WhatIf_AsksPerTargetAndTouchesNothing()
        {
            var op = Op(Inventory(), NamedFor("good1"), NamedFor("good2"));
            op.Tags = new[] { "good" };
            var host = new RecordingHost(shouldProcess: false);
            op.Run(host);
            Assert.Equal(2, host.ShouldProcessCalls.Count);
            Assert.Contains(host.ShouldProcessCalls, c => c.Target == "good1:" + Dest("good1") && c.Action.StartsWith("Publish ", StringComparison.Ordinal));
            Assert.All(host.Of<PublishResult>(), r => Assert.Equal(PublishStatus.Skipped, r.Status));
            Assert.All(fleet.Hosts, h => Assert.False(Directory.Exists(Path.Combine(h.UploadDir, sub))));
        }

        [Fact]
        public void Publish_TunedParameterFile_GoesToTuningPath_BesideTheProgram()
        {
            string program = NamedFor("good1"), tuned = NamedFor("good1", Fixtures.PoclTuning);
            var op = Op(Inventory(), program, tuned);
            op.Targets = new[] { "good1" };
            op.PassThru = true;
            var host = new RecordingHost();
            op.Run(host);
            var r = host.Of<PublishResult>().ToDictionary(x => x.Kind);
            Assert.Equal(PublishStatus.Published, r[PublishKind.Program].Status);
            Assert.Equal(PublishStatus.Published, r[PublishKind.Tuning].Status);
            Assert.Equal(Dest("good1", MaceInventory.TuningFileName), r[PublishKind.Tuning].Path);
            Assert.Equal(File.ReadAllBytes(tuned), File.ReadAllBytes(Dest("good1", MaceInventory.TuningFileName)));
            Assert.Equal(File.ReadAllBytes(program), File.ReadAllBytes(Dest("good1")));
            Assert.Equal(new[] { program, tuned }.OrderBy(p => p), host.Of<MaceProgram>().Select(p => p.Path).OrderBy(p => p));
        }

        [Fact]
        public void Publish_HostileDevicePath_ArrivesLiterallyAndRunsNothing()
        {
            string canary = tmp.File("PWNED");
            string Hostile(FleetHost h) => $"{h.UploadDir}/{sub}/it's a \"dir\" $(touch {canary}) `touch {canary}`/x; touch {canary} .bin";
            string inventory = Inventory(Hostile);
            var op = Op(inventory, NamedFor("good1"));
            op.Targets = new[] { "good1" };
            var host = new RecordingHost();
            op.Run(host);
            var r = Assert.Single(host.Of<PublishResult>());
            Assert.True(r.Status == PublishStatus.Published, r.Error);
            Assert.Equal(Hostile(fleet["good1"]), r.Path);
            Assert.Equal(Fixtures.Bytes(Fixtures.Adreno), File.ReadAllBytes(r.Path));
            Assert.False(File.Exists(canary));
            // Again over the first: the backup name is just as literal.
            File.WriteAllBytes(r.Path, new byte[] { 1, 2, 3 });
            host = new RecordingHost();
            op.Run(host);
            r = Assert.Single(host.Of<PublishResult>());
            Assert.Equal(PublishStatus.Published, r.Status);
            Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(r.Path + ".bak"));
            Assert.False(File.Exists(canary));
            Assert.Empty(TempFiles());
        }

        [Fact]
        public void Publish_UndecodableFile_StopsBeforeAnyHost()
        {
            string bad = tmp.File("mace_compiled_opencl_kernel.TestBoardgood1.RK3399.bin");
            File.WriteAllBytes(bad, new byte[] { 1, 2, 3, 4, 5 });
            var host = new RecordingHost();
            Assert.ThrowsAny<MaceException>(() => Op(Inventory(), bad).Run(host));
            Assert.Empty(host.Objects);
            Assert.All(fleet.Hosts, h => Assert.False(Directory.Exists(Path.Combine(h.UploadDir, sub))));
        }

        [Fact]
        public void Publish_to_a_device_it_never_reached_mentions_no_temporary_file()
        {
            var host = new RecordingHost();
            Op(Inventory(), NamedFor("down"), NamedFor("changed")).Run(host);
            var r = host.Of<PublishResult>().ToDictionary(x => x.Device);
            Assert.Equal(ErrorIds.RemoteUnreachable, r["down"].ErrorId); // a closed port
            Assert.Equal(ErrorIds.RemoteHostKeyChanged, r["changed"].ErrorId);
            Assert.All(r.Values, x => Assert.DoesNotContain("temporary", x.Error));
            Assert.All(host.Errors, e => Assert.DoesNotContain("temporary", e.Message));
            Assert.Empty(TempFiles());
        }

        [Fact]
        public void PublishCli_Json_OneObjectPerTarget_ExitOneWhenATargetFailed()
        {
            string inventory = Inventory();
            var (code, stdout, stderr) = CliRunner.Run(tmp.Path, "program", "publish", NamedFor("good1"), NamedFor("down"),
                "--inventory", inventory, "--target", "good1", "--target", "down", "--json");
            Assert.True(code == 1, stderr);
            var items = CliRunner.JsonLines(stdout).ToDictionary(e => e.GetProperty("device").GetString()!);
            Assert.Equal("Published", items["good1"].GetProperty("status").GetString());
            Assert.Equal(Dest("good1"), items["good1"].GetProperty("path").GetString());
            Assert.Equal("Failed", items["down"].GetProperty("status").GetString());
            Assert.Equal("RemoteUnreachable", items["down"].GetProperty("errorId").GetString());
            Assert.Contains("down", stderr);

            (code, stdout, stderr) = CliRunner.Run(tmp.Path, "program", "publish", NamedFor("good1"), "--inventory", inventory, "--tag", "good");
            Assert.Equal(1, code); // good2 has no file named for it
            Assert.Contains("Unchanged", stdout);
            Assert.Contains("is for device TestBoardgood1", stdout + stderr);

            (code, stdout, _) = CliRunner.Run(tmp.Path, "program", "publish", NamedFor("good2"), "--inventory", inventory, "--target", "good2", "--what-if", "--json");
            Assert.Equal(0, code);
            Assert.Equal("Skipped", CliRunner.JsonLines(stdout)[0].GetProperty("status").GetString());
        }
    }
}
