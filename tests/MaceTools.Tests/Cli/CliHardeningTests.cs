using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text.Json;
using MaceTools.Cli;
using MaceTools.Tests.Config;
using MaceTools.Tests.Operations;
using static MaceTools.Tests.Cli.CliRunner;

namespace MaceTools.Tests.Cli
{
    /// <summary>
    /// The command line's error boundary, exit codes, JSON lines and usage errors (issue 14 rows 5, 6, 7, 15, 16): what a
    /// careful user and a script see when something goes wrong.
    /// </summary>
    public class CliHardeningTests
    {
        private static bool HasStackTrace(string text) => text.Contains("   at ", StringComparison.Ordinal);

        // ---- row 6: a failed write of standard output ----

        /// <summary>Standard output on a full disk: /dev/full fails every write with ENOSPC.</summary>
        private static StreamWriter DevFull(bool autoFlush) =>
            new StreamWriter(new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0)) { AutoFlush = autoFlush };

        private static void Dispose(StreamWriter w)
        {
            try { w.Dispose(); } catch (IOException) { } // what is left in its buffer cannot be written either
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)] // buffered: the failure shows at the flush, which must be inside the boundary too
        public void A_full_disk_on_stdout_is_a_clean_WriteFailed_error_and_exit_3(bool autoFlush)
        {
            var full = DevFull(autoFlush);
            var err = new StringWriter();
            int code = Program.Run(new[] { "program", "show", Fixtures.Path(Fixtures.Adreno) }, full, err);
            Dispose(full);
            Assert.Equal(3, code);
            Assert.StartsWith("macetools: error: cannot write standard output: No space left on device", err.ToString());
            Assert.EndsWith("[WriteFailed]", err.ToString().Trim());
            Assert.Single(err.ToString().Trim().Split('\n'));
            Assert.False(HasStackTrace(err.ToString()), err.ToString());
        }

        [Fact]
        public void A_full_disk_on_stdout_under_json_is_one_json_error_line()
        {
            var full = DevFull(true);
            var err = new StringWriter();
            Assert.Equal(3, Program.Run(new[] { "program", "show", Fixtures.Path(Fixtures.Adreno), "--json" }, full, err));
            Dispose(full);
            var e = JsonLine(err.ToString()).GetProperty("error");
            Assert.Equal("WriteFailed", e.GetProperty("id").GetString());
            Assert.Equal("WriteError", e.GetProperty("category").GetString());
        }

        // ---- the boundary: any exception is an error with an id, exit 2 or 3, a stack trace only with --debug ----

        [Fact]
        public void An_unexpected_exception_is_an_Internal_error_exit_3_with_no_stack_trace()
        {
            var err = new StringWriter();
            var ctx = new CommandContext(new StringWriter(), err, null, new[] { "program", "show" });
            int code = ctx.Execute(false, _ => throw new InvalidOperationException("boom\nsecond line"));
            Assert.Equal(3, code); // not 1: that means "checks found problems"
            Assert.Equal("macetools: error: internal error: InvalidOperationException: boom second line [Internal]", err.ToString().Trim());
        }

        [Fact]
        public void Debug_adds_the_stack_trace_behind_an_error()
        {
            var err = new StringWriter();
            var ctx = new CommandContext(new StringWriter(), err, null, new[] { "program", "show", "--debug" });
            Assert.Equal(3, ctx.Execute(false, _ => throw new InvalidOperationException("boom")));
            Assert.Contains("[Internal]", err.ToString());
            Assert.Contains("macetools: debug: ", err.ToString());
            Assert.Contains(nameof(Debug_adds_the_stack_trace_behind_an_error), err.ToString());

            var (code, _, stderr) = Run(null, "program", "show", "/no/such/file.bin", "--json", "--debug");
            Assert.Equal(2, code);
            var lines = JsonLines(stderr);
            Assert.Equal("FileNotFound", lines[0].GetProperty("error").GetProperty("id").GetString());
            Assert.Contains("PathResolver", lines[1].GetProperty("debug").GetString());
        }

        [Fact]
        public void Cancellation_is_the_Cancelled_error_exit_3()
        {
            var err = new StringWriter();
            var ctx = new CommandContext(new StringWriter(), err, null, new[] { "program", "convert", "--json" });
            Assert.Equal(3, ctx.Execute(true, _ => throw new OperationCanceledException()));
            Assert.Equal("Cancelled", JsonLine(err.ToString()).GetProperty("error").GetProperty("id").GetString());
        }

        [Fact]
        public void No_error_category_maps_to_exit_1_and_unreachable_is_a_failure_not_bad_input()
        {
            foreach (MaceErrorCategory c in Enum.GetValues(typeof(MaceErrorCategory)))
                Assert.InRange(CliHost.ExitCodeFor(new MaceException("X", c, "m")), 2, 3);
            Assert.Equal(3, CliHost.ExitCodeFor(new MaceException(ErrorIds.RemoteUnreachable, MaceErrorCategory.ConnectionError, "m")));
            Assert.Equal(3, CliHost.ExitCodeFor(MaceException.From(new IOException("disk"))));
            Assert.Equal(ErrorIds.Internal, MaceException.From(new IOException("disk")).ErrorId);
            Assert.Equal(ErrorIds.Cancelled, MaceException.From(new OperationCanceledException()).ErrorId);
        }

        // ---- row 16: exit codes and CLI spellings ----

        [Fact]
        public void A_wildcard_the_regex_engine_refuses_is_bad_input_exit_2_not_an_internal_error()
        {
            foreach (var args in new[] { new[] { "kernel", "list", "--name", "[z-a]" }, new[] { "program", "entries", Fixtures.Path(Fixtures.Adreno), "--key", "[z-a]" } })
            {
                var (code, _, stderr) = Run(null, args);
                Assert.True(code == 2, stderr);
                Assert.Contains("'[z-a]': not a valid wildcard pattern", stderr);
                Assert.DoesNotContain("[Internal]", stderr);
            }
        }

        [Fact]
        public void Program_new_with_a_program_that_has_no_source_is_one_error_and_exit_2()
        {
            using var dir = new TempDir();
            var (code, _, stderr) = Run(dir.Path, "program", "new", "--kernel", "nosuchprog", "--cache-dir", "cache", "--json");
            Assert.Equal(2, code);
            var errors = JsonLines(stderr).Where(l => l.TryGetProperty("error", out _)).ToList();
            var error = Assert.Single(errors).GetProperty("error");
            Assert.Equal("Unsupported", error.GetProperty("id").GetString());
            Assert.Contains("no source for program 'nosuchprog'", error.GetProperty("message").GetString());
        }

        [Fact]
        public void Cli_messages_name_cli_options_not_cmdlet_parameters()
        {
            var (code, _, stderr) = Run(null, "program", "convert", Fixtures.Path(Fixtures.Mali), "--out", "/tmp/never-written.bin");
            Assert.Equal(2, code);
            Assert.Contains("name a target generation (--to G1|G2) or a MACE version (--mace-version)", stderr);
            Assert.DoesNotContain("-To", stderr);

            // One cmdlet parameter, two CLI spellings: the running verb's own wins.
            Assert.Equal("use --dest", new CliSpelling(new[] { "--out", "--dest" }).Translate("use -Destination"));
            Assert.Equal("--out must be a directory", new CliSpelling(new[] { "--out" }).Translate("-Destination must be a directory"));
            Assert.Equal("omit --no-clobber to replace it", new CliSpelling(new[] { "--out" }).Translate("omit -NoClobber / --no-clobber to replace it"));
            Assert.Equal("give --inventory, or run macetools device list", new CliSpelling(Array.Empty<string>()).Translate("give -Inventory (--inventory), or run Get-MaceDevice"));
            Assert.Equal("'-DBIAS -Dsoftmax=x' x-Force", new CliSpelling(Array.Empty<string>()).Translate("'-DBIAS -Dsoftmax=x' x-Force"));
        }

        // ---- row 15: unknown options and directories ----

        [Fact]
        public void An_unknown_option_after_variadic_files_is_a_usage_error_not_a_file()
        {
            var (code, _, stderr) = Run(null, "program", "drift", "x.bin", "--force");
            Assert.Equal(2, code);
            Assert.Contains("macetools: error: unknown option '--force'", stderr);
            Assert.DoesNotContain("file not found", stderr);
            // After "--", a name that starts with dashes is a file.
            var literal = Run(null, "program", "show", "--", "--force");
            Assert.Equal(2, literal.Code);
            Assert.Contains("--force: file not found", literal.Err);
        }

        [Fact]
        public void Every_verb_says_unknown_option_with_exit_2()
        {
            foreach (var (path, _) in Leaves())
            {
                var (code, stdout, stderr) = Run(null, path.Append("--no-such-option").ToArray());
                string verb = string.Join(" ", path);
                Assert.True(code == 2, $"{verb}: exit {code}: {stderr}");
                Assert.True(stderr.Contains("unknown option '--no-such-option'"), $"{verb}: {stderr}");
                Assert.Equal("", stdout);
            }
        }

        [Fact]
        public void A_directory_where_a_file_is_expected_is_one_message_and_exit_2_everywhere()
        {
            using var dir = new TempDir();
            Directory.CreateDirectory(dir.File("d"));
            var invocations = new[]
            {
                new[] { "program", "show", "d" },
                new[] { "tuning", "show", "d" },
                new[] { "config", "show", "d" },
                new[] { "device", "list", "--inventory", "d" },
                new[] { "program", "drift", Fixtures.Path(Fixtures.Adreno), "--inventory", "d" },
                new[] { "program", "publish", Fixtures.Path(Fixtures.Adreno), "--inventory", "d" },
            };
            foreach (var args in invocations)
            {
                var (code, _, stderr) = Run(dir.Path, args);
                Assert.True(code == 2, $"{string.Join(" ", args)}: exit {code}: {stderr}");
                Assert.Contains("d: is a directory, not a regular file [NotARegularFile]", stderr);
            }
        }

        // ---- row 7: several inputs and an --out that is a file ----

        [Fact]
        public void Several_inputs_with_out_an_existing_file_is_one_usage_error_and_the_file_is_kept()
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.File("existing"), "mine");
            var convert = Run(dir.Path, "program", "convert", Fixtures.Path(Fixtures.Adreno), Fixtures.Path(Fixtures.Mali), "--to", "G2", "--out", "existing");
            Assert.Equal(2, convert.Code);
            Assert.Equal("macetools: error: existing: is a file: --out must be a directory for several inputs [InvalidArgument]", convert.Err.Trim());
            Assert.False(HasStackTrace(convert.Err));

            var export = Run(dir.Path, "program", "export", Fixtures.Path(Fixtures.Adreno), Fixtures.Path(Fixtures.Mali), "--cpp", "--out", "existing");
            Assert.Equal(2, export.Code);
            Assert.Contains("--out must be a directory for several inputs", export.Err);
            Assert.Equal("mine", File.ReadAllText(dir.File("existing")));

            // A new name for several inputs is made a directory, as before.
            Assert.Equal(0, Run(dir.Path, "program", "convert", Fixtures.Path(Fixtures.Adreno), Fixtures.Path(Fixtures.Mali), "--to", "G2", "--out", "new").Code);
            Assert.True(File.Exists(Path.Combine(dir.File("new"), Fixtures.Mali)));
        }

        // ---- row 5: --json means JSON lines on both streams ----

        [Fact]
        public void Json_usage_errors_are_json_lines()
        {
            foreach (var args in new[]
            {
                new[] { "program", "show", Fixtures.Path(Fixtures.Adreno), "--bogus", "--json" },
                new[] { "program", "convert", Fixtures.Path(Fixtures.Adreno), "--to", "G9", "--out", "x", "--json" },
                new[] { "program", "convert", Fixtures.Path(Fixtures.Adreno), "--to", "G2", "--json" },
                new[] { "program", "frobnicate", "--json" },
            })
            {
                var (code, stdout, stderr) = Run(null, args);
                Assert.Equal(2, code);
                Assert.Equal("", stdout);
                var lines = JsonLines(stderr);
                Assert.NotEmpty(lines);
                Assert.All(lines, l => Assert.Equal("InvalidArgument", l.GetProperty("error").GetProperty("id").GetString()));
            }
        }

        [Fact]
        public void Json_results_are_one_compact_object_per_line()
        {
            var (code, stdout, _) = Run(null, "config", "show", ConfigFixtures.Path(ConfigFixtures.Vgg16), ConfigFixtures.Path(ConfigFixtures.Inception), "--json");
            Assert.Equal(0, code);
            Assert.Equal(2, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // not an indented array
            Assert.Equal(new[] { ConfigFixtures.Path(ConfigFixtures.Vgg16), ConfigFixtures.Path(ConfigFixtures.Inception) },
                JsonLines(stdout).Select(l => l.GetProperty("path").GetString()));
        }

        /// <summary>A representative run of each verb with --json (fast: most fail early, on purpose, to show their errors).</summary>
        private static string[] Representative(string verb, string dir) => verb switch
        {
            "device list" => new[] { "device", "list" },
            "kernel list" => new[] { "kernel", "list", "--name", "softmax*" },
            "config show" => new[] { "config", "show", ConfigFixtures.Path(ConfigFixtures.Vgg16) },
            "config test" => new[] { "config", "test", ConfigFixtures.Path(ConfigFixtures.Vgg16), "/no/such/mace.yml" },
            "program show" => new[] { "program", "show", Fixtures.Path(Fixtures.Adreno), "/no/such/file.bin" },
            "program entries" => new[] { "program", "entries", Fixtures.Path(Fixtures.Adreno), "--key", "softmax*" },
            "program test" => new[] { "program", "test", Fixtures.Path(Fixtures.Mali) },
            "program convert" => new[] { "program", "convert", Fixtures.Path(Fixtures.Mali), "--to", "G2", "--out", Path.Combine(dir, "m2.bin"), "--what-if" },
            "program merge" => new[] { "program", "merge", Fixtures.Path(Fixtures.Adreno), Fixtures.Path(Fixtures.Mali), "--out", Path.Combine(dir, "all.bin") },
            "program new" => new[] { "program", "new", "--kernel", "nosuchprog", "--cache-dir", Path.Combine(dir, "cache") },
            "program measure" => new[] { "program", "measure", "/no/such/file.bin" },
            "program publish" => new[] { "program", "publish", Fixtures.Path(Fixtures.Adreno), "--inventory", "/no/such/devices.yml" },
            "program drift" => new[] { "program", "drift", Fixtures.Path(Fixtures.Adreno), "--inventory", "/no/such/devices.yml" },
            "tuning show" => new[] { "tuning", "show", Fixtures.Path(Fixtures.PoclTuning), Fixtures.Path(Fixtures.Adreno) },
            "tune" => new[] { "tune", "--config", "/no/such/mace.yml", "--what-if" },
            "bench codec" => new[] { "bench", "codec", "--size-mb", "1", "--work-dir", dir },
            "bench opencl" => new[] { "bench", "opencl", "--device", "no-such-device" },
            "bench kernels" => new[] { "bench", "kernels", "--device", "no-such-device" },
            "bench convert" => new[] { "bench", "convert", "/no/such/mace.yml" },
            "bench tune" => new[] { "bench", "tune", "--device", "no-such-device" },
            "fuzz codec" => new[] { "fuzz", "codec", Fixtures.Path(Fixtures.Adreno), "--cases", "50" },
            _ => Array.Empty<string>(), // a verb added later: its usage error is checked below; give it a run here
        };

        [Fact]
        public void Every_json_verb_writes_only_json_object_lines_on_stdout_and_stderr()
        {
            using var dir = new TempDir();
            var seen = new List<string>();
            foreach (var (path, command) in Leaves().Where(l => l.Command.Options.Any(o => o.Name == "--json")))
            {
                string verb = string.Join(" ", path);
                seen.Add(verb);
                var runs = new List<string[]> { path.Concat(new[] { "--json", "--no-such-option" }).ToArray() };
                var representative = Representative(verb, dir.Path);
                if (representative.Length > 0) runs.Add(representative.Append("--json").ToArray());
                foreach (var args in runs)
                {
                    var (code, stdout, stderr) = Run(dir.Path, args);
                    string what = $"{string.Join(" ", args)} (exit {code})";
                    Assert.True(code is >= 0 and <= 3, what);
                    foreach (var line in (stdout + "\n" + stderr).Split('\n').Where(l => l.Trim().Length > 0))
                    {
                        JsonElement e;
                        try { e = JsonDocument.Parse(line).RootElement; }
                        catch (JsonException) { throw new Xunit.Sdk.XunitException($"{what}: not a JSON line: {line}"); }
                        Assert.True(e.ValueKind == JsonValueKind.Object, $"{what}: not an object: {line}");
                    }
                }
            }
            Assert.Contains("program show", seen);
            Assert.Contains("bench codec", seen);
            Assert.Contains("fuzz codec", seen);
        }

        /// <summary>Every visible leaf verb of the command line, bench and fuzz included (they load only for their own command lines).</summary>
        private static IEnumerable<(string[] Path, Command Command)> Leaves()
        {
            var found = new Dictionary<string, (string[], Command)>();
            foreach (var first in new[] { "program", "bench", "fuzz" })
            {
                var root = Commands.Build(new CommandContext(TextWriter.Null, TextWriter.Null, null), new[] { first });
                foreach (var leaf in Walk(root, Array.Empty<string>()))
                    if ((first == "bench" || first == "fuzz") == (leaf.Path[0] == "bench" || leaf.Path[0] == "fuzz"))
                        found[string.Join(" ", leaf.Path)] = leaf;
            }
            return found.Values;
        }

        private static IEnumerable<(string[] Path, Command Command)> Walk(Command command, string[] path)
        {
            foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
            {
                var p = path.Append(sub.Name).ToArray();
                if (sub.Subcommands.Count == 0) yield return (p, sub);
                else foreach (var leaf in Walk(sub, p)) yield return leaf;
            }
        }
    }
}
