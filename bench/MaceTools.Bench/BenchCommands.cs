using System;
using System.CommandLine;
using System.Linq;
using MaceTools.Cli;
using MaceTools.Config;
using MaceTools.Tuning;

namespace MaceTools.Bench
{
    /// <summary>
    /// `macetools bench` and `macetools fuzz`: the CLI loads this assembly from beside itself (<see cref="BenchLoader"/>), so the
    /// module's worker copy of the CLI carries none of it.
    /// </summary>
    public static class BenchCommands
    {
        /// <summary>Adds the verbs and their tables; called by reflection from the CLI.</summary>
        internal static void Register(RootCommand root, CommandContext ctx)
        {
            root.Subcommands.Add(Bench(ctx));
            root.Subcommands.Add(Fuzz(ctx));
        }

        // The tables are process-wide and the tests run the CLI in-process many times: added once.
        static BenchCommands()
        {
            TextOutput.Views.Add((typeof(Conversion.ConversionBenchRow), (w, items) =>
            {
                var conversions = items.Cast<Conversion.ConversionBenchRow>().ToList();
                TextOutput.Table(w, new[] { "Model", "Bytes", "Nodes", "Convert ms", "Peak memory MB", "Result" },
                    conversions.Select(c => new[] { c.Model, c.ModelBytes.ToString("N0"), c.Nodes.ToString(), c.Milliseconds.ToString("0.0"), (c.PeakMemoryBytes / 1e6).ToString("0.0"), c.Result }));
            }));
            TextOutput.Views.Add((typeof(Kernels.KernelBenchRow), (w, items) =>
            {
                var bench = items.Cast<Kernels.KernelBenchRow>().ToList();
                TextOutput.Table(w, new[] { "Op", "Shape", "Kernel", "LWS", "MFLOP", "Device ms", "GFLOP/s", "C# ms", "C# GFLOP/s", "Speed-up", "% of peak", "Max error" },
                    bench.Select(b => new[]
                    {
                        b.Op, b.Shape, b.Kernel, b.LocalSize, b.MFlop.ToString("0.0"), b.DeviceMs.ToString("0.000"), b.DeviceGflops.ToString("0.00"),
                        b.CSharpMs.ToString("0.0"), b.CSharpGflops.ToString("0.00"), b.Speedup.ToString("0.0") + "x", b.PercentOfPeak.ToString("0.0"), b.MaxError.ToString("0.0e0"),
                    }));
                w.WriteLine($"Peak estimate: {bench[0].PeakGflops:0.0} GFLOP/s (compute units x clock x native float width x 2).");
            }));
            TextOutput.Views.Add((typeof(Compilation.StartupBenchRow), (w, items) =>
            {
                var rows = items.Cast<Compilation.StartupBenchRow>().ToList();
                TextOutput.Table(w, new[] { "Started from", "Programs", "Launches", "Load ms", "First launches ms", "First inference ms", "Steady ms", "Compiled at 1st launch", "vs ours", "Target" },
                    rows.Select(b => new[]
                    {
                        b.Way, b.Programs.ToString(), b.Launches.ToString(), b.LoadMs.ToString("0.0"), b.FirstLaunchesMs.ToString("0.0"), b.FirstInferenceMs.ToString("0.0"),
                        b.SteadyMs.ToString("0.0"), b.CompiledAtFirstLaunch.ToString(), b.VsOurs.ToString("0.00") + "x", b.Target,
                    }));
                w.WriteLine($"Medians of up to {rows.Max(r => r.Rounds)} start-ups per way, each in a fresh worker with the driver cache off.");
            }));
            TextOutput.Views.Add((typeof(Tuning.TuningBenchRow), (w, items) =>
            {
                var tuningBench = items.Cast<Tuning.TuningBenchRow>().ToList();
                TextOutput.Table(w, new[] { "Strategy", "Kernels", "Total µs", "vs exhaustive", "Gain vs default", "Launches", "% of exhaustive launches", "Search s", "Noise" },
                    tuningBench.Select(b => new[]
                    {
                        b.Strategy, b.Kernels.ToString(), b.TotalMicros.ToString("0.0"), b.VsExhaustivePercent.ToString("+0.00;-0.00;0.00") + "%",
                        b.GainPercent.ToString("0.00") + "%", b.Launches.ToString("N0"), b.LaunchesPercentOfExhaustive.ToString("0.0") + "%",
                        b.SearchSeconds.ToString("0.0"), "±" + b.NoisePercent.ToString("0.00") + "%",
                    }));
                w.WriteLine("Totals: each strategy's choices re-timed together in shuffled rounds (medians); noise: odd vs even rounds' totals.");
            }));
        }

        private static Command Bench(CommandContext ctx)
        {
            var cmd = new Command("bench", "Benchmarks that print figures.");
            var size = new Option<int>("--size-mb") { Description = "Size of the synthetic G2 file in MB.", DefaultValueFactory = _ => 256 };
            var dir = new Option<string>("--work-dir") { Description = "Where to write the temporary files (default: the system temp directory)." };
            var json = Commands.JsonOption();
            var codec = new Command("codec", "Decode/encode throughput (G2 and G1, CRC included) and peak memory of a decode.") { size, dir, json };
            codec.SetAction(r => ctx.Execute(r.GetValue(json), h => h.WriteObject(Formats.CodecBenchmark.Run(
                (long)r.GetValue(size) << 20, r.GetValue(dir) ?? System.IO.Path.GetTempPath(), h.WriteVerbose)), verbose: true));
            cmd.Subcommands.Add(codec);

            var device = Commands.DeviceOption();
            var programs = new Option<string>("--programs") { Description = "A MACE program file whose fp32 programs form the set (default: the real Mali file in examples/mace-files)." };
            var repeat = new Option<int>("--repeat") { Description = "Repeats per start-up timing (medians).", DefaultValueFactory = _ => 5 };
            var ocl = new Command("opencl", "Start-up from binary vs from source, isolated-load overhead, parallel compile speed-up and warm rebuild on an OpenCL device.") { device, programs, repeat, dir, json };
            ocl.SetAction(r => ctx.Execute(r.GetValue(json), h => h.WriteObject(Compilation.OpenClBenchmark.Run(Devices.LocalDevices.Select(r.GetValue(device)),
                r.GetValue(programs) ?? Commands.ExampleFile("mali-r20p0-v0.12.0-28.mace_cl_compiled_program.bin"),
                r.GetValue(dir) ?? System.IO.Path.GetTempPath(), Math.Max(1, r.GetValue(repeat)), h.WriteVerbose)), verbose: true));
            cmd.Subcommands.Add(ocl);

            var kdevice = Commands.DeviceOption();
            var krepeat = new Option<int>("--repeat") { Description = "Timed launches per op (medians).", DefaultValueFactory = _ => 10 };
            var kjson = Commands.JsonOption();
            var kernels = new Command("kernels", "GFLOP/s of each kernel at MobileNet-like shapes on an OpenCL device, next to a plain C# loop and the device's peak estimate.") { kdevice, krepeat, kjson };
            kernels.SetAction(r => ctx.Execute(r.GetValue(kjson), h =>
            {
                foreach (var row in Kernels.KernelBenchmark.Run(Devices.LocalDevices.Select(r.GetValue(kdevice)), Math.Max(1, r.GetValue(krepeat)), h.WriteVerbose)) h.WriteObject(row);
            }, verbose: true));
            cmd.Subcommands.Add(kernels);

            var crepeat = new Option<int>("--repeat") { Description = "Conversions per model (median).", DefaultValueFactory = _ => 10 };
            var cjson = Commands.JsonOption();
            var configs = new Argument<string[]>("CONFIG") { Description = "Deployment files whose models to convert (default: examples/paddleocr/mace.yml and mace-det.yml).", Arity = ArgumentArity.ZeroOrMore };
            var convert = new Command("convert", "Time and peak memory of reading and converting the models of deployment files.") { configs, crepeat, cjson };
            convert.SetAction(r => ctx.Execute(r.GetValue(cjson), h =>
            {
                var files = r.GetValue(configs) is { Length: > 0 } given ? given
                    : new[] { Commands.ExampleFile("mace.yml", "paddleocr"), Commands.ExampleFile("mace-det.yml", "paddleocr") };
                foreach (var row in Conversion.ConversionBenchmark.Run(files, Math.Max(1, r.GetValue(crepeat)), h.WriteVerbose)) h.WriteObject(row);
            }, verbose: true));
            cmd.Subcommands.Add(convert);

            var tconfig = new Option<string>("--config") { Description = "The deployment file whose kernels to tune (default: examples/paddleocr/mace.yml)." };
            var tdevice = Commands.DeviceOption();
            var trepeat = new Option<int>("--repeat") { Description = "Re-timing rounds of every choice (medians).", DefaultValueFactory = _ => 15 };
            var tlimit = new Option<int>("--limit") { Description = "Only the first N tuning keys (0: all).", DefaultValueFactory = _ => 0 };
            var tjson = Commands.JsonOption();
            var tune = new Command("tune", "MACE's search, ours and the exhaustive one on a model's kernels: total kernel time of each one's choices re-timed side by side, launches and search time.") { tconfig, tdevice, trepeat, tlimit, tjson };
            tune.SetAction(r => ctx.Execute(r.GetValue(tjson), h =>
            {
                foreach (var row in TuningBenchmark.Run(r.GetValue(tconfig) ?? Commands.ExampleFile("mace.yml", "paddleocr"), Devices.LocalDevices.Select(r.GetValue(tdevice)),
                    Math.Max(2, r.GetValue(trepeat)), r.GetValue(tlimit), h.WriteVerbose, h.CancellationToken)) h.WriteObject(row);
            }, verbose: true));
            cmd.Subcommands.Add(tune);
            cmd.Subcommands.Add(Startup(ctx));
            cmd.Subcommands.Add(Model(ctx));
            return cmd;
        }

        /// <summary>`bench model`: end-to-end latency, default sizes vs our tuned file vs MACE's search's vs ONNX Runtime CPU.</summary>
        private static Command Model(CommandContext ctx)
        {
            var config = new Option<string>("--config") { Description = "The deployment file whose model runs (default: examples/paddleocr/mace.yml)." };
            var device = Commands.DeviceOption();
            var tuned = new Option<string[]>("--tuned") { Description = "Tuned-parameter files to measure (repeatable; default: tune here first with our search and with MACE's, --strategy auto and mace)." };
            var rounds = new Option<int>("--round") { Description = "Interleaved rounds, one inference of each way per round.", DefaultValueFactory = _ => 50 };
            var dir = new Option<string>("--work-dir") { Description = "Where to write the tuned files (default: the system temp directory)." };
            var json = Commands.JsonOption();
            var model = new Command("model", "End-to-end latency of a model, side by side in shuffled rounds: MACE's default local sizes, our tuned file, MACE's own search's file and ONNX Runtime CPU; each gain with its 95% interval, host overhead, per-op profile.")
                { config, device, tuned, rounds, dir, json };
            model.SetAction(r => ctx.Execute(r.GetValue(json), h => Runtime.ModelBenchmark.Run(r.GetValue(config) ?? Commands.ExampleFile("mace.yml", "paddleocr"),
                Devices.LocalDevices.Select(r.GetValue(device)), r.GetValue(tuned) ?? Array.Empty<string>(), Math.Max(2, r.GetValue(rounds)),
                r.GetValue(dir) ?? System.IO.Path.GetTempPath(), h), verbose: true));
            return model;
        }

        /// <summary>`bench startup`: first inference from our warmed file, from a post-run capture, from build-only binaries and from source.</summary>
        private static Command Startup(CommandContext ctx)
        {
            var config = new Option<string>("--config") { Description = "The deployment file whose kernel set starts (default: examples/paddleocr/mace.yml)." };
            var device = Commands.DeviceOption();
            var rounds = new Option<int>("--rounds") { Description = "Start-ups per way, interleaved (medians; from source at most two).", DefaultValueFactory = _ => 3 };
            var dir = new Option<string>("--work-dir") { Description = "Where to write the temporary files (default: the system temp directory)." };
            var json = Commands.JsonOption();
            var startup = new Command("startup", "Time to first inference of a model's kernel set, side by side: from our warmed file, from binaries captured after a full run, from build-only binaries, from source (fresh worker each, driver cache off).")
                { config, device, rounds, dir, json };
            startup.SetAction(r => ctx.Execute(r.GetValue(json), h =>
            {
                foreach (var row in Compilation.StartupBenchmark.Run(r.GetValue(config) ?? Commands.ExampleFile("mace.yml", "paddleocr"), Devices.LocalDevices.Select(r.GetValue(device)),
                    Math.Max(1, r.GetValue(rounds)), r.GetValue(dir) ?? System.IO.Path.GetTempPath(), h.WriteVerbose, h.CancellationToken)) h.WriteObject(row);
            }, verbose: true));
            return startup;
        }

        private static Command Fuzz(CommandContext ctx)
        {
            var cmd = new Command("fuzz", "Mutation fuzzing of the parsers.");
            var files = new Argument<string[]>("FILE") { Description = "Seed files (default: the real files in examples/mace-files).", Arity = ArgumentArity.ZeroOrMore };
            var cases = new Option<int>("--cases") { Description = "Number of mutated inputs.", DefaultValueFactory = _ => 100_000 };
            var seed = new Option<int>("--seed") { Description = "Random seed (runs are reproducible).", DefaultValueFactory = _ => 1 };
            var json = Commands.JsonOption();
            var codec = new Command("codec", "Decode mutated MACE files; any exception other than a MaceFormatException with an offset is a failure (exit 1).") { files, cases, seed, json };
            codec.SetAction(r => ctx.Execute(r.GetValue(json), h =>
            {
                var paths = r.GetValue(files) is { Length: > 0 } given ? given : System.IO.Directory.GetFiles(System.IO.Path.GetDirectoryName(Commands.ExampleFile("PROVENANCE.md"))!, "*.bin");
                var seeds = paths.Select(p => Formats.InputGate.ReadAll(p, Formats.InputKind.MaceFile)).ToList();
                h.WriteObject(Formats.CodecFuzzer.Run(seeds, r.GetValue(cases), r.GetValue(seed), Environment.ProcessorCount));
            }, exitCode: h => h.Output.OfType<Formats.FuzzReport>().Any(f => f.FailureCount > 0) ? ExitCodes.ProblemsFound : ExitCodes.Ok));
            cmd.Subcommands.Add(codec);
            cmd.Subcommands.Add(YamlFuzz(ctx, YamlFuzzTarget.Config, "config",
                "Read mutated deployment files (mace.yml); a hang over 1 s, an exception other than a MaceException or a finding without a line is a failure (exit 1).",
                "Seed deployment files (default: the examples' mace.yml files)."));
            cmd.Subcommands.Add(YamlFuzz(ctx, YamlFuzzTarget.Inventory, "inventory",
                "Read mutated inventories (devices.yml); a hang over 1 s, an exception other than a MaceException or an error without a line is a failure (exit 1).",
                "Seed inventories (default: MACE's demo devices.yml, an adb device and one with merged defaults)."));
            return cmd;
        }

        private static Command YamlFuzz(CommandContext ctx, YamlFuzzTarget target, string name, string description, string filesDescription)
        {
            var files = new Argument<string[]>("FILE") { Description = filesDescription, Arity = ArgumentArity.ZeroOrMore };
            var cases = new Option<int>("--cases") { Description = "Number of mutated inputs.", DefaultValueFactory = _ => 100_000 };
            var seed = new Option<int>("--seed") { Description = "Random seed (runs are reproducible).", DefaultValueFactory = _ => 1 };
            var json = Commands.JsonOption();
            var command = new Command(name, description) { files, cases, seed, json };
            command.SetAction(r => ctx.Execute(r.GetValue(json), h =>
            {
                var given = r.GetValue(files) ?? Array.Empty<string>();
                var seeds = given.Length > 0
                    ? given.Select(p => Formats.InputGate.ReadText(Operations.PathResolver.FullPath(p, h.CurrentDirectory),
                        target == YamlFuzzTarget.Config ? Formats.InputKind.DeploymentFile : Formats.InputKind.Inventory)).ToList()
                    : target == YamlFuzzTarget.Config
                        ? YamlFuzzer.ExampleConfigs(AppContext.BaseDirectory).Select(p => Formats.InputGate.ReadText(p, Formats.InputKind.DeploymentFile)).ToList()
                        : YamlFuzzer.InventorySeeds.ToList();
                if (seeds.Count == 0)
                    throw new MaceException(ErrorIds.FileNotFound, MaceErrorCategory.ObjectNotFound, $"no examples/ folder above {AppContext.BaseDirectory}: give seed files", AppContext.BaseDirectory);
                var report = YamlFuzzer.Run(target, seeds, r.GetValue(cases), r.GetValue(seed), Environment.ProcessorCount);
                foreach (var f in report.Failures.Take(20)) h.WriteVerbose(f.ToString());
                h.WriteObject(report);
            }, exitCode: h => h.Output.OfType<YamlFuzzReport>().Any(f => f.FailureCount > 0) ? ExitCodes.ProblemsFound : ExitCodes.Ok));
            return command;
        }
    }
}
