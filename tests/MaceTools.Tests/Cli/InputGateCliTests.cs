using System;
using System.Linq;
using System.Threading.Tasks;
using MaceTools.Tests.FormatsTests;
using MaceTools.Tests.Operations;

namespace MaceTools.Tests.Cli
{
    /// <summary>
    /// Issue 14 rows 1, 8, 12, 13: every verb that reads a file refuses endless, blocking and huge inputs at once, from the
    /// input gate (the error id says so: nothing of the content was read), instead of reading without limit or hanging.
    /// </summary>
    public class InputGateCliTests
    {
        public static readonly TheoryData<string, string> Cases = Build();

        private static TheoryData<string, string> Build()
        {
            var data = new TheoryData<string, string>();
            foreach (string verb in new[] { "program show", "program test", "config test", "tuning show", "device list --inventory" })
                foreach (string input in new[] { "/dev/zero", "/dev/urandom", "fifo", "zeros-1G", "garbage-1G" })
                    data.Add(verb, input);
            return data;
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public async Task Endless_blocking_and_huge_inputs_are_refused_at_once_by_the_gate(string verb, string input)
        {
            using var dir = new TempDir();
            string path = input switch
            {
                "fifo" => InputGateTests.MakeFifo(dir),
                "zeros-1G" => InputGateTests.MakeSparse(dir, "zeros.bin", 1L << 30),
                "garbage-1G" => InputGateTests.MakeSparse(dir, "garbage.bin", 1L << 30, Garbage(1 << 16)),
                _ => input,
            };
            var args = (verb + " " + path).Split(' ');
            var run = Task.Run(() => CliRunner.Run(dir.Path, args));
            // generous: the gate answers in milliseconds; before it, /dev/zero ran 40 s into an OutOfMemoryException and a FIFO forever
            Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20))) == run, $"{verb} {input} did not return");
            var (code, stdout, stderr) = await run;
            string expectedId = input.EndsWith("-1G", StringComparison.Ordinal) ? ErrorIds.InputTooLarge : ErrorIds.NotARegularFile;
            Assert.Contains(expectedId, stdout + stderr);
            Assert.Contains(path, stdout + stderr);
            Assert.DoesNotContain("   at ", stderr);
            // program test reports a file too large to be a MACE file as a failed test (1); everything else is bad input (2)
            Assert.Equal(verb == "program test" && expectedId == ErrorIds.InputTooLarge ? 1 : 2, code);
        }

        /// <summary>Runs the CLI (macetools.dll beside the tests) in a child process with <paramref name="environment"/> added.</summary>
        private static (int Code, string Out, string Err) RunChild(string cwd, string[] args, params (string Name, string Value)[] environment)
        {
            var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "macetools.dll"));
            foreach (string a in args) psi.ArgumentList.Add(a);
            foreach (var (name, value) in environment) psi.Environment[name] = value;
            using var p = System.Diagnostics.Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(60_000))
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail($"macetools {string.Join(" ", args)} did not return within 60 s");
            }
            return (p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
        }

        [Theory]
        [InlineData("/dev/zero")]
        [InlineData("/dev/urandom")]
        [InlineData("fifo")]
        [InlineData("zeros-1G")]
        [InlineData("garbage-1G")]
        public void Each_hostile_input_is_refused_by_a_process_whose_heap_is_capped_at_100_MB(string input)
        {
            // DOTNET_GCHeapHardLimit makes any attempt to hold the input in memory an OutOfMemoryException (before the gate:
            // /dev/zero took 4 GB and 40 s); the refusal must come from the gate, with exit code 2, under the cap.
            using var dir = new TempDir();
            string path = input switch
            {
                "fifo" => InputGateTests.MakeFifo(dir),
                "zeros-1G" => InputGateTests.MakeSparse(dir, "zeros.bin", 1L << 30),
                "garbage-1G" => InputGateTests.MakeSparse(dir, "garbage.bin", 1L << 30, Garbage(1 << 16)),
                _ => input,
            };
            foreach (var verb in new[] { new[] { "program", "show" }, new[] { "config", "test" }, new[] { "device", "list", "--inventory" } })
            {
                var (code, _, stderr) = RunChild(dir.Path, verb.Append(path).ToArray(), ("DOTNET_GCHeapHardLimit", "0x6400000"));
                Assert.Equal(2, code);
                Assert.Contains(input.EndsWith("-1G", StringComparison.Ordinal) ? ErrorIds.InputTooLarge : ErrorIds.NotARegularFile, stderr);
            }
        }

        [Fact]
        public void A_cap_is_raised_or_lowered_by_its_environment_variable()
        {
            using var dir = new TempDir();
            string adreno = Fixtures.Path(Fixtures.Adreno);
            var (code, _, stderr) = RunChild(dir.Path, new[] { "program", "show", adreno }, ("MACETOOLS_MAX_MACE_FILE", "1K"));
            Assert.Equal(2, code);
            Assert.Contains($"{adreno}: is 506.4 KB; MACE program and tuning files are capped at 1 KB (set MACETOOLS_MAX_MACE_FILE to raise the cap)", stderr);
            string zeros = InputGateTests.MakeSparse(dir, "zeros.bin", 100 << 20);
            Assert.Contains("capped at 64 MB", RunChild(dir.Path, new[] { "program", "show", zeros }).Err);
            // raised: the file is read, and then the decoder says what it is
            Assert.Contains("not a MACE file", RunChild(dir.Path, new[] { "program", "show", zeros }, ("MACETOOLS_MAX_MACE_FILE", "128M")).Err);
        }

        private static byte[] Garbage(int n)
        {
            var bytes = new byte[n];
            new Random(14).NextBytes(bytes);
            return bytes;
        }

        [Fact]
        public void A_file_of_zeros_within_the_cap_is_not_a_MACE_file_for_show_and_fails_test()
        {
            using var dir = new TempDir();
            string path = InputGateTests.MakeSparse(dir, "zeros.bin", 10 << 20);
            var show = CliRunner.Run(dir.Path, "program", "show", path);
            Assert.Equal(2, show.Code);
            Assert.Contains("record count is 0, but 10485752 more bytes follow the 8-byte count: not a MACE file", show.Err);
            var test = CliRunner.Run(dir.Path, "program", "test", path);
            Assert.Equal(1, test.Code);
            Assert.Contains("FAIL", test.Out);
            Assert.Contains(ErrorIds.UnknownFormat, test.Out);
        }
    }
}
