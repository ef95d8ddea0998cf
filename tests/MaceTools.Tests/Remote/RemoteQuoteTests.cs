using System;
using System.IO;
using System.Linq;
using System.Text;
using MaceTools.Remote;

namespace MaceTools.Tests.Remote
{
    /// <summary>The quoting rules on their own, and hostile words and file names through a real sshd.</summary>
    [Collection(SshFleetCollection.Name)]
    public class RemoteQuoteTests
    {
        private readonly SshFleet _fleet;
        private readonly FleetHost _host;
        private readonly string _canary;

        public RemoteQuoteTests(SshFleet fleet)
        {
            _fleet = fleet;
            _host = fleet["good1"];
            _canary = Path.Combine(_host.Root, "PWNED");
        }

        /// <summary>Words that would run 'touch CANARY' if any layer handed them to a shell unquoted.</summary>
        private string[] Hostile => new[]
        {
            "plain", "", " ", "two words", "it's", "\"double\"", "a'b\"c'd", "''", "'\\''",
            "; touch CANARY", "$(touch CANARY)", "`touch CANARY`", "'; touch CANARY; '", "\"; touch CANARY; \"",
            "&& touch CANARY", "| touch CANARY", "> CANARY", "\ntouch CANARY\n", "line1\nline2\r\n", "\ttab",
            "$HOME", "${IFS}", "$((1+1))", "\\", "\\n", "*", "?", "[a-z]", "~", "!!", "#not a comment",
            "-n", "-e", "--help", "-rf", "Ünïcødé ✓ 中文 🚀",
        }.Select(s => s.Replace("CANARY", _canary)).ToArray();

        [Fact]
        public void Sh_wraps_in_single_quotes_and_escapes_single_quotes()
        {
            Assert.Equal("''", RemoteQuote.Sh(""));
            Assert.Equal("'a b'", RemoteQuote.Sh("a b"));
            Assert.Equal("'it'\\''s'", RemoteQuote.Sh("it's"));
            Assert.Equal("'$(x) `y` \"z\"'", RemoteQuote.Sh("$(x) `y` \"z\""));
            Assert.Equal("'printf' '%s' '-n'", RemoteQuote.Command("printf", "%s", "-n"));
            Assert.Equal("'cat' > '/d/a b'", RemoteQuote.CommandToFile(new[] { "cat" }, "/d/a b"));
            Assert.Equal("'sha256sum' < '-x'", RemoteQuote.CommandFromFile(new[] { "sha256sum" }, "-x"));
        }

        [Fact]
        public void NUL_and_an_empty_command_are_refused()
        {
            var e = Assert.Throws<MaceException>(() => RemoteQuote.Sh("a\0b"));
            Assert.Equal(ErrorIds.InvalidArgument, e.ErrorId);
            Assert.Contains("NUL", e.Message);
            Assert.Throws<MaceException>(() => RemoteQuote.Command(Array.Empty<string>()));
        }

        [Fact]
        public void Ssh_option_values_are_double_quoted_with_percent_doubled()
        {
            Assert.Equal("\"/k/it's a \\\"dir\\\" 100%%\\\\x\"", RemoteQuote.SshOptionValue("/k/it's a \"dir\" 100%\\x"));
            Assert.Equal(ErrorIds.InvalidArgument, Assert.Throws<MaceException>(() => RemoteQuote.SshOptionValue("/k/${HOME}")).ErrorId);
        }

        [Fact]
        public void Windows_command_lines_split_back_into_the_same_words()
        {
            Assert.Equal("plain", LocalProcess.WindowsQuote("plain"));
            Assert.Equal("\"\"", LocalProcess.WindowsQuote(""));
            Assert.Equal("\"a b\"", LocalProcess.WindowsQuote("a b"));
            Assert.Equal("\"say \\\"hi\\\"\"", LocalProcess.WindowsQuote("say \"hi\""));
            Assert.Equal("\"c:\\dir with space\\\\\"", LocalProcess.WindowsQuote("c:\\dir with space\\"));
            Assert.Equal("a\\b", LocalProcess.WindowsQuote("a\\b"));
        }

        [Fact]
        public void Hostile_words_come_back_byte_exact_through_sshd_and_nothing_runs()
        {
            using var ssh = SshFleet.Client(_fleet.Device("good1"));
            foreach (string word in Hostile)
            {
                var printed = ssh.RunChecked(new[] { "printf", "%s", word });
                Assert.Equal(Encoding.UTF8.GetBytes(word), printed.StdoutBytes);
            }
            ssh.RunChecked(new[] { "echo" }.Concat(Hostile).ToArray());
            // All words in one command: each stays one argument.
            var all = ssh.RunChecked(new[] { "printf", "%s\\0" }.Concat(Hostile).ToArray());
            Assert.Equal(Hostile, all.Stdout.Split('\0').Take(Hostile.Length));
            Assert.False(File.Exists(_canary), "a hostile word was executed on the device");
        }

        [Fact]
        public void Hostile_file_names_are_the_exact_files_for_upload_exists_hash_rename_and_remove()
        {
            using var ssh = SshFleet.Client(_fleet.Device("good1"));
            string dir = Path.Combine(_host.UploadDir, "names");
            Directory.CreateDirectory(dir);
            string sentinel = Path.Combine(dir, "sentinel");
            File.WriteAllText(sentinel, "keep");
            string local = Path.Combine(_fleet.Dir, "payload.bin");
            File.WriteAllBytes(local, Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray());
            string hash = Sha256(local);
            foreach (string name in Hostile.Where(n => n.Trim().Length > 0 && !n.Contains('/')))
            {
                string remote = dir + "/" + name;
                ssh.Upload(local, remote);
                Assert.True(File.Exists(remote), $"upload of '{name}' did not make that exact file");
                Assert.True(ssh.Exists(remote));
                Assert.Equal(hash, ssh.Sha256(remote));
                ssh.Rename(remote, remote + ".2");
                Assert.False(ssh.Exists(remote));
                Assert.True(File.Exists(remote + ".2"));
                ssh.Remove(remote + ".2");
                Assert.False(File.Exists(remote + ".2"));
                Assert.True(File.Exists(sentinel), $"'{name}' removed another file");
            }
            Assert.Equal(new[] { sentinel }, Directory.GetFiles(dir));
            Assert.False(File.Exists(_canary), "a hostile file name was executed on the device");
        }

        [Fact]
        public void A_destination_that_looks_like_an_option_is_not_read_as_one()
        {
            var device = _fleet.Device("good1").Clone();
            device.Address = $"-oProxyCommand=touch {_canary}";
            device.Username = null;
            using var ssh = SshFleet.Client(device);
            Assert.Equal(ErrorIds.InvalidArgument, Assert.Throws<MaceException>(() => ssh.Run(new[] { "true" })).ErrorId);
            Assert.False(File.Exists(_canary), "the address was read as an ssh option");
        }

        internal static string Sha256(string path)
        {
            using var sha = System.Security.Cryptography.SHA256.Create();
            using var f = File.OpenRead(path);
            return string.Concat(sha.ComputeHash(f).Select(b => b.ToString("x2")));
        }
    }
}
