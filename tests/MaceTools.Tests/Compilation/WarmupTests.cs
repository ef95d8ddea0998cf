using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using MaceTools.Compilation;
using MaceTools.Conversion;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.Operations;
using MaceTools.Tests.OpenCLTests;
using MaceTools.Tests.Operations;
using MaceTools.Tests.TuningTests;
using MaceTools.Tuning;
using MaceTools.Verification;
using Xunit;

namespace MaceTools.Tests.CompilationTests
{
    /// <summary>
    /// The warm-up before capture: pocl names every work-group-size specialisation it compiled inside the program binary
    /// (<c>/&lt;kernel&gt;/&lt;lx&gt;-&lt;ly&gt;-&lt;lz&gt;[-goffs0][-smallgrid]/</c>). A binary read right after the
    /// build holds only the generic <c>0-0-0</c>, so MACE's first launches from it compile; the warmed one holds the
    /// model's sizes. The binary's content is the deterministic witness (the timing lives in the bench).
    /// </summary>
    public class WarmupTests
    {
        private static readonly Regex Specialisation = new Regex(@"/(?<kernel>[A-Za-z0-9_]+)/(?<size>\d+-\d+-\d+)(?<tail>(-goffs0)?(-smallgrid)?)/", RegexOptions.CultureInvariant);

        /// <summary>The (kernel symbol, local size) pairs pocl holds compiled in a binary.</summary>
        internal static HashSet<string> Specialisations(byte[] binary) =>
            new HashSet<string>(Specialisation.Matches(Encoding.GetEncoding("ISO-8859-1").GetString(binary)).Cast<Match>()
                .Select(m => m.Groups["kernel"].Value + "/" + m.Groups["size"].Value), StringComparer.Ordinal);

        private static NewProgramOperation Op(TempDir tmp, string yml, string outFile) => new NewProgramOperation
        {
            Config = yml,
            ModelCache = tmp.File("models"),
            Devices = new List<MaceDevice> { Pocl.Device },
            Cache = null,
            Worker = Pocl.Worker,
            OutFile = outFile,
        };

        [Fact]
        public void A_program_built_for_a_model_holds_its_launch_sizes_and_a_build_only_one_holds_none()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            string yml = OptimizeProgramTests.SmallConfig(tmp);

            // A tuned file that asks for an unusual local size for the convolution: the warm-up must use it, as MACE will.
            var config = MaceTools.Config.MaceConfigReader.Read(yml);
            using var fetcher = ConfigConversion.Fetcher(tmp.File("models"), host);
            var sets = ConfigConversion.Convert(config, Pocl.Device, MaceVersion.Latest, fetcher, host);
            var conv = sets.SelectMany(s => s.Kernels).First(k => k.TuningKey != null && k.Launch.Dimensions == 3);
            var tunedLocal = new long[] { 1, 1, 2 };
            string tuned = tmp.File("small_tuned_opencl_parameter.bin");
            TunedParameterFile.Write(tuned, new TuningRecord(), new[]
            {
                new MaceTuningResult { Kernel = conv.Kernel, TuningKey = conv.TuningKey!, FileKey = conv.TuningFileKey!, GlobalSize = conv.GlobalSize,
                    LocalSize = tunedLocal, Parameters = new uint[] { 1, 1, 2, 0 } },
            }, MaceVersion.Latest, overwrite: true);

            var warm = Op(tmp, yml, "warm.bin");
            warm.TunedParameter = tuned;
            warm.Run(host);
            var cold = Op(tmp, yml, "cold.bin");
            cold.NoWarmup = true;
            cold.Run(host);
            Assert.Empty(host.Errors);

            var results = host.Of<MaceProgram>().ToList();
            var warmResult = results.Single(r => r.Name == "warm.bin");
            Assert.True(warmResult.Warmup!.Applied, warmResult.Warmup.ToString());
            Assert.True(warmResult.Warmup.Launches >= sets.SelectMany(s => s.Kernels).Select(k => k.Launch.ProgramKey).Distinct().Count());
            Assert.True(warmResult.Warmup.Milliseconds > 0);
            Assert.Empty(warmResult.Warmup.Failures);
            var coldResult = results.Single(r => r.Name == "cold.bin");
            Assert.False(coldResult.Warmup!.Applied);
            Assert.Contains("NoWarmup", coldResult.Warmup.Reason);

            var warmFile = MaceProgram.Load(tmp.File("warm.bin"));
            var coldFile = MaceProgram.Load(tmp.File("cold.bin"));
            var programs = warmFile.Entries.Where(e => e.Kind == MaceEntryKind.Program).ToList();
            Assert.Equal(sets.SelectMany(s => s.ProgramKeys).Distinct().OrderBy(k => k, StringComparer.Ordinal), programs.Select(e => e.Key));
            foreach (var entry in programs)
            {
                var symbols = sets.SelectMany(s => s.Kernels).Where(k => k.ProgramKey == entry.Key).Select(k => k.Launch.Symbol).Distinct().ToList();
                var coldSpecs = Specialisations(coldFile.Entries.Single(e => e.Key == entry.Key).GetValue());
                var warmSpecs = Specialisations(entry.GetValue());
                // Build-only: the generic kernel of each symbol, nothing for any local size.
                Assert.All(coldSpecs, s => Assert.EndsWith("/0-0-0", s));
                Assert.All(symbols, sym => Assert.Contains(sym + "/0-0-0", coldSpecs));
                // Warmed: each of the program's kernels also holds a size the model launches it at.
                Assert.All(symbols, sym => Assert.Contains(warmSpecs, s => s.StartsWith(sym + "/", StringComparison.Ordinal) && !s.EndsWith("/0-0-0", StringComparison.Ordinal)));
            }
            // The tuned convolution was launched at the tuned size, not MACE's default.
            Assert.Contains(conv.Launch.Symbol + "/1-1-2", Specialisations(programs.Single(e => e.Key == conv.ProgramKey).GetValue()));

            // Test-MaceProgram -Device -Config catches the build-only file before it ships: its first launches compile
            // (~100 ms each on pocl against well under 1 ms after), and says so per kernel.
            var test = new TestProgramOperation { Paths = new[] { tmp.File("cold.bin"), tmp.File("warm.bin") }, LiteralPaths = true, Device = Pocl.Device, Worker = Pocl.Worker, Config = yml, ModelCache = tmp.File("models") };
            test.Run(host);
            var tested = host.Of<MaceTestResult>().ToList();
            var coldTest = tested.Single(t => t.Path == tmp.File("cold.bin"));
            Assert.Contains(coldTest.Findings, f => f.Code == "FirstLaunchCompiles" && f.Symptom == MaceSymptom.SlowStart);
            Assert.Contains(coldTest.Findings, f => f.Code == "FirstInference");
            var warmTest = tested.Single(t => t.Path == tmp.File("warm.bin"));
            Assert.Equal(coldTest.FirstLaunches.Length, warmTest.FirstLaunches.Length);
            Assert.Equal(sets.Sum(x => x.Kernels.Count), warmTest.FirstLaunches.Length);
        }

        [Fact]
        public void Without_a_model_the_programs_are_captured_build_only_and_the_result_says_why()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            new NewProgramOperation
            {
                Kernels = NewProgramTests.PoclV111Keys.Take(1).ToArray(), Devices = new List<MaceDevice> { Pocl.Device }, Cache = null, Worker = Pocl.Worker, OutFile = "keys.bin",
            }.Run(host);
            Assert.Empty(host.Errors);
            var result = Assert.Single(host.Of<MaceProgram>());
            Assert.False(result.Warmup!.Applied);
            Assert.Contains("no model", result.Warmup.Reason);
            Assert.Contains(host.Verbose, v => v.Contains("captured right after their builds"));
        }

        [Fact]
        public void Measure_with_a_model_times_the_first_inference_per_way_of_starting_and_without_one_says_it_times_builds_only()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            string yml = OptimizeProgramTests.SmallConfig(tmp);
            Op(tmp, yml, "small.bin").Run(host);
            new MeasureProgramOperation { Paths = new[] { tmp.File("small.bin") }, LiteralPaths = true, Device = Pocl.Device, Repeat = 1, Worker = Pocl.Worker }.Run(host);
            new MeasureProgramOperation
            {
                Paths = new[] { tmp.File("small.bin") }, LiteralPaths = true, Device = Pocl.Device, Repeat = 1, Worker = Pocl.Worker, Config = yml, ModelCache = tmp.File("models"),
            }.Run(host);
            Assert.Empty(host.Errors);
            var (buildsOnly, withModel) = (host.Of<MaceMeasurement>().First(), host.Of<MaceMeasurement>().Last());
            Assert.StartsWith("builds only", buildsOnly.Scope);
            Assert.Empty(buildsOnly.Startup);
            Assert.Contains(host.Verbose, v => v.Contains("measuring builds only"));

            Assert.Equal(new[] { "Source", "BuildOnly", "Specialised", "File" }, withModel.Startup.Select(s => s.Way));
            int programs = withModel.Entries.Length;
            Assert.All(withModel.Startup, s =>
            {
                Assert.Empty(s.Failures);
                Assert.Equal(programs, s.Programs);
                Assert.Equal(withModel.Startup[0].Launches, s.Launches);
                Assert.True(s.Launches >= programs);
                Assert.Equal(s.LoadMs + s.FirstLaunchesMs, s.FirstInferenceMs);
                Assert.All(s.Timings, t => Assert.Equal(t.GlobalSize.Length, t.LocalSize.Length));
                // The first launches are queued and waited for once: each launch's share of the device timeline is inside
                // the host's wall time of the whole run (a millisecond allowed for the two clocks' granularity).
                Assert.True(s.Timings.Sum(t => t.FirstMs) <= s.FirstLaunchesMs + 1, s.ToString());
                Assert.All(s.Timings, t => Assert.True(t.FirstMs >= 0 && t.SteadyMs >= 0, t.ToString()));
                // The load is made of each program's create and build.
                Assert.Equal(programs, s.ProgramTimings.Length);
                Assert.True(s.ProgramTimings.Sum(p => p.CreateMs + p.BuildMs) <= s.LoadMs, s.ToString());
            });
            // From source, pocl compiles each kernel's work-group size at its first launch (~100 ms against well under 1 ms).
            Assert.True(withModel.Startup[0].CompiledAtFirstLaunch > 0, withModel.Startup[0].ToString());

            // The command line's view shows the start-up table under the build figures, a row per way.
            var text = new System.IO.StringWriter();
            MaceTools.Cli.TextOutput.Measurement(text, withModel);
            var rows = text.ToString().Split('\n').SkipWhile(l => !l.StartsWith("Started from")).Skip(2).TakeWhile(l => l.Trim().Length > 0).ToList();
            Assert.Equal(new[] { "Source", "BuildOnly", "Specialised", "File" }, rows.Select(l => l.Split(' ')[0]));
            Assert.Contains($" {withModel.Startup[0].CompiledAtFirstLaunch}", rows[0]);
        }
    }
}
