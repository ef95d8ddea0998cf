using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using MaceTools.Formats;
using MaceTools.OpenCL;
using MaceTools.Tests.Operations;

namespace MaceTools.Tests.FormatsTests
{
    /// <summary>
    /// FileIO.WriteAtomic, the one write path of every output: mode and owner kept, atomic no-clobber, cancellation with the
    /// old file kept, and the sweep of temporaries that killed writers left (issue 14 rows 9, 10, 11, 14).
    /// </summary>
    public class AtomicWriteTests
    {
        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int signal);
        private const int SIGKILL = 9, SIGINT = 2, SIGTERM = 15, SIGSTOP = 19, SIGCONT = 18;

        private static void Write(string path, string text, bool overwrite = true, CancellationToken token = default) =>
            FileIO.WriteAtomic(path, s => { var b = System.Text.Encoding.ASCII.GetBytes(text); s.Write(b, 0, b.Length); }, overwrite, token);

        /// <summary>`stat -c` of a file: the octal mode, the owner and group ids.</summary>
        private static (string Mode, string Uid, string Gid) Stat(string path)
        {
            var parts = Run("stat", "-c", "%a %u %g", path).Trim().Split(' ');
            return (parts[0], parts[1], parts[2]);
        }

        private static string Run(string file, params string[] args)
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return output;
        }

        private static string[] Temporaries(string dir) =>
            Directory.GetFiles(dir).Select(Path.GetFileName).Where(n => n!.EndsWith(".tmp", StringComparison.Ordinal)).Select(n => n!).ToArray();

        [Fact]
        public void Replacing_a_file_keeps_its_mode_and_its_owner()
        {
            using var dir = new TempDir();
            string path = dir.File("private.bin");
            File.WriteAllText(path, "old");
            Run("chmod", "600", path);
            bool root = Environment.UserName == "root" || Run("id", "-u").Trim() == "0";
            if (root) Run("chown", "65534:65534", path); // nobody:nogroup, as in the report
            var before = Stat(path);

            Write(path, "new");

            Assert.Equal("new", File.ReadAllText(path));
            Assert.Equal("600", Stat(path).Mode);
            if (root) Assert.Equal(("65534", "65534"), (Stat(path).Uid, Stat(path).Gid));
            else Assert.Equal(before.Uid, Stat(path).Uid);
            Assert.Empty(Temporaries(dir.Path));
        }

        [Fact]
        public void A_new_file_gets_the_usual_mode_and_a_group_readable_file_stays_so()
        {
            using var dir = new TempDir();
            string path = dir.File("shared.bin");
            Write(path, "one");
            string fresh = Stat(path).Mode;
            Run("chmod", "2660", path);
            Write(path, "two");
            Assert.Equal("2660", Stat(path).Mode);
            Assert.NotEqual("2660", fresh);
        }

        [Fact]
        public void No_clobber_writers_racing_to_a_new_path_have_exactly_one_winner_each_round()
        {
            using var dir = new TempDir();
            const int rounds = 30, writers = 8;
            for (int round = 0; round < rounds; round++)
            {
                string path = dir.File($"race{round}.bin");
                using var start = new Barrier(writers);
                var outcomes = new string?[writers];
                var threads = Enumerable.Range(0, writers).Select(w => new Thread(() =>
                {
                    start.SignalAndWait();
                    try
                    {
                        // The refusal at the start sees nothing yet; the race is decided when the file is put in place.
                        FileIO.WriteAtomic(path, s =>
                        {
                            var b = new byte[64 * 1024];
                            b[0] = (byte)w;
                            for (int i = 0; i < 4; i++) s.Write(b, 0, b.Length);
                        }, overwrite: false);
                        outcomes[w] = "won";
                    }
                    catch (MaceException e) { outcomes[w] = e.ErrorId; }
                })).ToList();
                threads.ForEach(t => t.Start());
                threads.ForEach(t => t.Join());
                Assert.Equal(1, outcomes.Count(o => o == "won"));
                Assert.All(outcomes.Where(o => o != "won"), o => Assert.Equal(ErrorIds.OutputExists, o));
                Assert.Equal(Array.IndexOf(outcomes, "won"), File.ReadAllBytes(path)[0]); // the winner's bytes, not a loser's
            }
            Assert.Empty(Temporaries(dir.Path));
        }

        [Fact]
        public void A_cancelled_write_keeps_the_old_file_and_removes_its_temporary()
        {
            using var dir = new TempDir();
            string path = dir.File("out.bin");
            File.WriteAllText(path, "old");
            using var cancel = new CancellationTokenSource();
            int chunks = 0;
            Assert.Throws<OperationCanceledException>(() => FileIO.WriteAtomic(path, s =>
            {
                var b = new byte[1 << 16];
                for (int i = 0; i < 1000; i++)
                {
                    s.Write(b, 0, b.Length);
                    chunks++;
                    if (i == 10) cancel.Cancel(); // as Ctrl+C would, in the middle of the write
                }
            }, overwrite: true, cancel.Token));
            Assert.Equal(11, chunks);
            Assert.Equal("old", File.ReadAllText(path));
            Assert.Empty(Temporaries(dir.Path));
        }

        [Fact]
        public void A_write_cancelled_before_it_starts_writes_nothing()
        {
            using var dir = new TempDir();
            using var cancel = new CancellationTokenSource();
            cancel.Cancel();
            Assert.Throws<OperationCanceledException>(() => Write(dir.File("new.bin"), "x", token: cancel.Token));
            Assert.Empty(Directory.GetFiles(dir.Path));
        }

        /// <summary>A pid that ran and has exited: a real dead writer's.</summary>
        private static int DeadPid()
        {
            using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
            p.WaitForExit();
            return p.Id;
        }

        /// <summary>This process's start time in clock ticks after boot (/proc/self/stat field 22), as the temporary's name holds it.</summary>
        private static string OwnStart()
        {
            string stat = File.ReadAllText("/proc/self/stat");
            return stat.Substring(stat.LastIndexOf(')') + 1).Split(' ', StringSplitOptions.RemoveEmptyEntries)[19];
        }

        [Fact]
        public void A_write_sweeps_temporaries_of_dead_writers_of_its_destination_and_keeps_live_writers_and_other_files()
        {
            using var dir = new TempDir();
            string path = dir.File("out.bin");
            int dead = DeadPid(), self = Environment.ProcessId;
            string deadWriter = $".out.bin.{dead}-12345-0badf00d.tmp";
            string reusedPid = $".out.bin.{self}-1-0badf00d.tmp";             // our pid, but another process's start time
            string liveWriter = $".out.bin.{self}-{OwnStart()}-0badf00d.tmp"; // a writer in this very process
            string otherDestination = $".other.bin.{dead}-12345-0badf00d.tmp";
            string notOurs = ".out.bin.tmp";
            foreach (var n in new[] { deadWriter, reusedPid, liveWriter, otherDestination, notOurs }) File.WriteAllText(dir.File(n), "left");

            Write(path, "new");

            Assert.False(File.Exists(dir.File(deadWriter)));
            Assert.False(File.Exists(dir.File(reusedPid)));
            Assert.True(File.Exists(dir.File(liveWriter)));
            Assert.True(File.Exists(dir.File(otherDestination)));
            Assert.True(File.Exists(dir.File(notOurs)));
            Assert.Equal("new", File.ReadAllText(path));
        }

        [Fact]
        public void The_temporary_names_its_writer_so_a_sweep_can_tell_it_is_alive()
        {
            string tmp = Path.GetFileName(FileIO.TemporaryPath("/x/out.bin"));
            Assert.Matches($@"^\.out\.bin\.{Environment.ProcessId}-{OwnStart()}-[0-9a-f]{{8}}\.tmp$", tmp);
        }

        // ---- the command line as a child process: signals during `program convert` of a large file ----

        /// <summary>A G1 program file of about <paramref name="megabytes"/> MB (large enough that writing it takes a while).</summary>
        private static void WriteLargeInput(string path, int megabytes)
        {
            var blob = new byte[1 << 20];
            new Random(14).NextBytes(blob);
            var records = Enumerable.Range(0, megabytes).Select(i => KvRecord.Bytes($"program_{i:D4}", blob)).ToList();
            MaceFileCodec.WriteFile(path, records, MaceFileFormat.G1, overwrite: true);
        }

        private static Process StartCli(params string[] args)
        {
            var worker = WorkerCommand.Locate();
            Assert.Null(worker.Problem);
            var psi = worker.StartInfo(args);
            psi.RedirectStandardError = true;
            psi.RedirectStandardOutput = true;
            psi.UseShellExecute = false;
            psi.Environment["MACETOOLS_MAX_MACE_FILE"] = "1G"; // the input is larger than a MACE file's default read cap
            return Process.Start(psi)!;
        }

        /// <summary>Starts `program convert` of a large file over an existing destination and sends the signal once its temporary exists.</summary>
        private static (int Code, string Err) ConvertAndSignal(TempDir dir, string input, string dest, int signal)
        {
            using var p = StartCli("program", "convert", input, "--to", "G2", "--out", dest);
            var err = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEndAsync();
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (Temporaries(dir.Path).Length == 0 && !p.HasExited && DateTime.UtcNow < deadline) Thread.SpinWait(100);
            // Stopped the moment its temporary appears, the writer receives the signal mid-write however fast this machine writes.
            Assert.Equal(0, kill(p.Id, SIGSTOP));
            bool seen = Temporaries(dir.Path).Length > 0;
            kill(p.Id, signal);
            kill(p.Id, SIGCONT);
            Assert.True(seen, "the conversion ended before its temporary was seen");
            Assert.True(p.WaitForExit(120_000), "the CLI did not exit after the signal");
            p.WaitForExit();
            return (p.ExitCode, err.Result + output.Result);
        }

        [Theory]
        [InlineData(SIGINT)]
        [InlineData(SIGTERM)]
        public void A_signal_during_program_convert_cancels_keeps_the_old_file_and_removes_the_temporary(int signal)
        {
            using var dir = new TempDir();
            string input = dir.File("large.bin"), dest = dir.File("dest.bin");
            WriteLargeInput(input, 200);
            File.WriteAllText(dest, "the old destination");

            var (code, err) = ConvertAndSignal(dir, input, dest, signal);

            Assert.Equal(3, code);
            Assert.Contains("cancelled", err);
            Assert.Equal("the old destination", File.ReadAllText(dest));
            Assert.Empty(Temporaries(dir.Path));
        }

        [Fact]
        public void Two_no_clobber_converts_to_the_same_new_path_at_once_have_exactly_one_winner()
        {
            using var dir = new TempDir();
            string input = dir.File("input.bin");
            WriteLargeInput(input, 16); // long enough that both pass the early check and race at the rename
            for (int round = 0; round < 4; round++)
            {
                string dest = dir.File($"out{round}.bin");
                var runs = Enumerable.Range(0, 2).Select(_ => StartCli("program", "convert", input, "--to", "G2", "--out", dest, "--no-clobber")).ToList();
                var results = runs.Select(p => { string err = p.StandardError.ReadToEnd(); p.StandardOutput.ReadToEnd(); p.WaitForExit(); return (p.ExitCode, err); }).ToList();
                runs.ForEach(p => p.Dispose());
                Assert.Single(results, r => r.ExitCode == 0);
                var loser = Assert.Single(results, r => r.ExitCode != 0);
                Assert.Equal(2, loser.ExitCode);
                Assert.Contains("[OutputExists]", loser.err);
                Assert.Empty(Temporaries(dir.Path));
            }
        }

        [Fact]
        public void A_temporary_left_by_a_killed_convert_is_removed_by_the_next_write_of_that_destination()
        {
            using var dir = new TempDir();
            string input = dir.File("large.bin"), dest = dir.File("dest.bin");
            WriteLargeInput(input, 200);
            File.WriteAllText(dest, "the old destination");

            var (code, _) = ConvertAndSignal(dir, input, dest, SIGKILL);
            Assert.Equal(128 + SIGKILL, code);
            Assert.Single(Temporaries(dir.Path)); // SIGKILL cannot be caught: the temporary stays, the destination is intact
            Assert.Equal("the old destination", File.ReadAllText(dest));

            Write(dest, "the next run");
            Assert.Empty(Temporaries(dir.Path));
            Assert.Equal("the next run", File.ReadAllText(dest));
        }
    }
}
