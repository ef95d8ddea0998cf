using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using MaceTools.Remote;

namespace MaceTools.Tests.Remote
{
    /// <summary>The ssh client against the real sshd fleet: good hosts, a down one, a full disk and a changed host key.</summary>
    [Collection(SshFleetCollection.Name)]
    public class SshClientTests
    {
        private readonly SshFleet _fleet;

        public SshClientTests(SshFleet fleet) => _fleet = fleet;

        [Fact]
        public void Run_returns_the_remote_exit_code_stdout_and_stderr()
        {
            using var ssh = _fleet.Client("good1");
            var r = ssh.Run(new[] { "sh", "-c", "echo out; echo err >&2; exit 7" });
            Assert.Equal(7, r.ExitCode);
            Assert.Equal("out\n", r.Stdout);
            Assert.Equal("err\n", r.Stderr);
            // A command's own 255 is not mistaken for an ssh failure.
            Assert.Equal(255, ssh.Run(new[] { "sh", "-c", "exit 255" }).ExitCode);
            var e = Assert.Throws<MaceException>(() => ssh.RunChecked(new[] { "sh", "-c", "echo bad >&2; exit 3" }));
            Assert.Equal(ErrorIds.RemoteCommandFailed, e.ErrorId);
            Assert.Equal($"good1 (root@{_fleet["good1"].Address}:{SshFleet.Port}): 'sh' '-c' 'echo bad >&2; exit 3' failed with exit code 3: bad", e.Message);
        }

        [Fact]
        public void Run_feeds_stdin_byte_exact()
        {
            using var ssh = _fleet.Client("good2");
            byte[] input = Enumerable.Range(0, 70000).Select(i => (byte)(i * 7)).ToArray();
            Assert.Equal(input, ssh.RunChecked(new[] { "cat" }, input).StdoutBytes);
        }

        [Fact]
        public void Upload_streams_the_file_and_sha256_exists_rename_remove_agree()
        {
            var host = _fleet["good1"];
            using var ssh = _fleet.Client("good1");
            string local = Path.Combine(_fleet.Dir, "upload-200k.bin");
            var bytes = new byte[200 * 1024];
            new Random(42).NextBytes(bytes);
            File.WriteAllBytes(local, bytes);
            string remote = host.UploadDir + "/sub dir/prog.bin";
            ssh.MakeDirectory(host.UploadDir + "/sub dir");
            ssh.Upload(local, remote);
            Assert.Equal(bytes, File.ReadAllBytes(remote));
            Assert.Equal(RemoteQuoteTests.Sha256(local), ssh.Sha256(remote));
            Assert.True(ssh.Exists(remote));
            ssh.Rename(remote, remote + ".new");
            Assert.False(ssh.Exists(remote));
            Assert.True(ssh.Exists(remote + ".new"));
            ssh.Remove(remote + ".new");
            ssh.Remove(remote + ".new"); // already gone: fine
            Assert.False(ssh.Exists(remote + ".new"));
            var e = Assert.Throws<MaceException>(() => ssh.Sha256(remote));
            Assert.Equal(ErrorIds.RemoteCommandFailed, e.ErrorId);
            Assert.Contains("sha256sum of " + remote, e.Message);
        }

        [Fact]
        public void Commands_share_one_connection_until_dispose()
        {
            var host = _fleet["good2"];
            int before = Logins(host, 0);
            string socket;
            using (var ssh = _fleet.Client("good2"))
            {
                for (int i = 0; i < 6; i++) ssh.RunChecked(new[] { "true" });
                Assert.True(ssh.IsMasterRunning());
                socket = ssh.ControlSocket!;
                Assert.True(File.Exists(socket));
                Assert.Equal(before + 1, Logins(host, before + 1));
            }
            Assert.False(File.Exists(socket));
            Assert.False(Directory.Exists(Path.GetDirectoryName(socket)));

            using var plain = _fleet.Client("good2");
            plain.ReuseConnection = false;
            plain.RunChecked(new[] { "true" });
            plain.RunChecked(new[] { "true" });
            Assert.Null(plain.ControlSocket);
            Assert.Equal(before + 3, Logins(host, before + 3));
        }

        /// <summary>sshd logs a login a moment after the client has it: wait for the expected count (or time out and return what is there).</summary>
        private static int Logins(FleetHost host, int expected)
        {
            var deadline = DateTime.UtcNow.AddSeconds(3);
            while (host.AcceptedLogins < expected && DateTime.UtcNow < deadline) Thread.Sleep(20);
            Thread.Sleep(100);
            return host.AcceptedLogins;
        }

        [Fact]
        public void A_down_host_is_connection_refused_naming_the_device()
        {
            using var ssh = _fleet.Client("down");
            var e = Assert.Throws<MaceNotReachedException>(() => ssh.Run(new[] { "true" }));
            Assert.Equal(ErrorIds.RemoteUnreachable, e.ErrorId);
            Assert.StartsWith($"down (root@{_fleet["down"].Address}:{SshFleet.Port}): connection refused", e.Message);
            Assert.Equal("down", e.Target);
        }

        [Fact]
        public void A_host_that_does_not_answer_times_out_after_the_connect_timeout()
        {
            var device = _fleet.Device("down").Clone();
            device.Name = "silent";
            device.Address = _fleet.SilentAddress;
            using var ssh = SshFleet.Client(device);
            ssh.ConnectTimeout = TimeSpan.FromSeconds(1);
            var watch = Stopwatch.StartNew();
            var e = Assert.Throws<MaceNotReachedException>(() => ssh.Run(new[] { "true" }));
            Assert.Equal(ErrorIds.RemoteUnreachable, e.ErrorId);
            Assert.Contains("silent (root@" + _fleet.SilentAddress, e.Message);
            Assert.Contains("timed out after 1 s", e.Message);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), watch.Elapsed.ToString());
        }

        [Fact]
        public void A_command_past_its_timeout_is_stopped()
        {
            using var ssh = _fleet.Client("good1");
            var watch = Stopwatch.StartNew();
            var e = Assert.Throws<MaceException>(() => ssh.Run(new[] { "sleep", "30" }, timeout: TimeSpan.FromSeconds(1)));
            Assert.Equal(ErrorIds.RemoteTimeout, e.ErrorId);
            Assert.Contains("'sleep' '30' did not finish in 1 s", e.Message);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), watch.Elapsed.ToString());
            Assert.Equal("ok", ssh.RunChecked(new[] { "printf", "ok" }).Stdout);
        }

        [Fact]
        public void A_changed_host_key_is_an_error_that_says_so()
        {
            using var ssh = _fleet.Client("changed");
            var e = Assert.Throws<MaceNotReachedException>(() => ssh.Run(new[] { "true" }));
            Assert.Equal(ErrorIds.RemoteHostKeyChanged, e.ErrorId);
            Assert.StartsWith($"changed (root@{_fleet["changed"].Address}:{SshFleet.Port}): the host key has CHANGED since it was recorded in {_fleet.KnownHosts}", e.Message);
            // Not even accept-new lets a changed key through.
            ssh.HostKeys = HostKeyPolicy.AcceptNew;
            Assert.Equal(ErrorIds.RemoteHostKeyChanged, Assert.Throws<MaceNotReachedException>(() => ssh.Run(new[] { "true" })).ErrorId);
        }

        [Fact]
        public void An_unknown_host_key_is_an_error_unless_accept_new_is_chosen()
        {
            var device = _fleet.Device("good1").Clone();
            device.KnownHostsFile = Path.Combine(_fleet.Dir, "known_hosts_" + Guid.NewGuid().ToString("N"));
            File.WriteAllText(device.KnownHostsFile, "");
            using var ssh = SshFleet.Client(device);
            var e = Assert.Throws<MaceNotReachedException>(() => ssh.Run(new[] { "true" }));
            Assert.Equal(ErrorIds.RemoteHostKeyUnknown, e.ErrorId);
            Assert.Contains("the host key is unknown: " + device.KnownHostsFile + " has no entry", e.Message);
            Assert.Equal("", File.ReadAllText(device.KnownHostsFile));
            ssh.HostKeys = HostKeyPolicy.AcceptNew;
            ssh.RunChecked(new[] { "true" });
            // ssh wrote the key (hashed, as Debian's ssh_config asks), so strict checking now passes.
            Assert.NotEqual("", File.ReadAllText(device.KnownHostsFile));
            using var strict = SshFleet.Client(device);
            strict.RunChecked(new[] { "true" });
        }

        [Fact]
        public void A_key_the_device_does_not_accept_is_permission_denied()
        {
            var device = _fleet.Device("good2").Clone();
            device.IdentityFile = Path.Combine(_fleet.Dir, "stranger_" + Guid.NewGuid().ToString("N"));
            Assert.Equal(0, LocalProcess.Run("ssh-keygen", new[] { "-q", "-t", "ed25519", "-N", "", "-f", device.IdentityFile }, null, TimeSpan.FromSeconds(20))!.ExitCode);
            using var ssh = SshFleet.Client(device);
            var e = Assert.Throws<MaceNotReachedException>(() => ssh.Run(new[] { "true" }));
            Assert.Equal(ErrorIds.RemoteAuthFailed, e.ErrorId);
            Assert.Contains("login refused for user 'root'", e.Message);
        }

        [Fact]
        public void Key_and_known_hosts_files_in_a_folder_with_spaces_quotes_and_percent_work()
        {
            string dir = Path.Combine(_fleet.Dir, "it's a \"dir\" 100% $x");
            Directory.CreateDirectory(dir);
            var device = _fleet.Device("good1").Clone();
            device.IdentityFile = Path.Combine(dir, "key");
            device.KnownHostsFile = Path.Combine(dir, "known hosts");
            File.Copy(_fleet.ClientKey, device.IdentityFile, true);
            File.Copy(_fleet.KnownHosts, device.KnownHostsFile, true);
            using var ssh = SshFleet.Client(device);
            Assert.Equal("ok", ssh.RunChecked(new[] { "printf", "ok" }).Stdout);
        }

        [Fact]
        public void An_upload_that_fills_the_disk_fails_with_no_space_left()
        {
            var host = _fleet["full"];
            using var ssh = _fleet.Client("full");
            string local = Path.Combine(_fleet.Dir, "upload-256k.bin");
            File.WriteAllBytes(local, new byte[256 * 1024]);
            string remote = host.UploadDir + "/" + MaceInventory.ProgramFileName;
            var e = Assert.Throws<MaceException>(() => ssh.Upload(local, remote));
            Assert.Equal(ErrorIds.RemoteCommandFailed, e.ErrorId);
            Assert.StartsWith($"full (root@{host.Address}:{SshFleet.Port}): upload to {remote} failed with exit code 1", e.Message);
            Assert.Contains("No space left on device", e.Message);
            ssh.Remove(remote);
            Assert.False(File.Exists(remote));
        }

        [Fact]
        public void The_ssh_command_line_has_strict_batch_options_and_the_destination_after_double_dash()
        {
            var device = _fleet.Device("good1");
            using var ssh = new SshClient(device) { ReuseConnection = false };
            var args = ssh.SshArguments("'true'");
            string line = string.Join(" ", args);
            Assert.Contains("-o BatchMode=yes -o StrictHostKeyChecking=yes -o ConnectTimeout=10", line);
            Assert.Contains($"-o IdentityFile=\"{_fleet.ClientKey}\" -o IdentitiesOnly=yes -o UserKnownHostsFile=\"{_fleet.KnownHosts}\"", line);
            Assert.Contains($"-p {SshFleet.Port}", line);
            Assert.Equal(new[] { "--", "root@" + device.Address, "'true'" }, args.Skip(args.Count - 3));
            Assert.DoesNotContain("ControlMaster", line);
            var adb = MaceInventory.Parse("devices:\n  p: {transport: adb, serial: x}\n", "d.yml").Single();
            Assert.Equal(ErrorIds.InvalidArgument, Assert.Throws<MaceException>(() => new SshClient(adb)).ErrorId);
        }
    }
}
