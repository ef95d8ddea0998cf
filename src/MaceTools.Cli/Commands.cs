using System;
using System.CommandLine;
using System.Linq;
using MaceTools.Operations;

namespace MaceTools.Cli
{
    /// <summary>The command tree. Each action binds options to one Core operation; nothing else happens here.</summary>
    internal static class Commands
    {
        public static RootCommand Build(CommandContext ctx)
        {
            var root = new RootCommand("MaceTools: read, check, convert, merge and embed Xiaomi MACE OpenCL program-cache and tuned-parameter files.\n" +
                                       "Exit codes: 0 ok, 1 checks found problems, 2 bad input or usage, 3 other failure.");
            root.Subcommands.Add(ProgramCommand(ctx));
            root.Subcommands.Add(TuningCommand(ctx));
            root.Subcommands.Add(BenchCommand(ctx));
            root.Subcommands.Add(FuzzCommand(ctx));
            var version = new Command("version", "Print the MaceTools version.");
            version.SetAction(_ => { ctx.Out.WriteLine(typeof(MaceProgram).Assembly.GetName().Version?.ToString(3)); return 0; });
            root.Subcommands.Add(version);
            var worker = new Command("worker", "Internal: serve OpenCL driver requests on stdin/stdout, so a crashing driver takes down only this process.") { Hidden = true };
            worker.SetAction(_ => OpenCL.DriverWorker.Run(Console.In, ctx.Out));
            root.Subcommands.Add(worker);
            return root;
        }

        private static Option<bool> JsonOption() => new Option<bool>("--json") { Description = "Print machine-readable JSON on stdout (errors as JSON lines on stderr)." };
        private static Argument<string[]> FilesArgument(string description) => new Argument<string[]>("FILE") { Description = description, Arity = ArgumentArity.OneOrMore };
        private static Argument<string> FileArgument(string description) => new Argument<string>("FILE") { Description = description };

        private static Command ProgramCommand(CommandContext ctx)
        {
            var cmd = new Command("program", "Work with MACE program-cache files (mace_cl_compiled_program.bin) and tuned-parameter files.");

            {
                var file = FileArgument("A MACE program or tuned-parameter file (any generation).");
                var json = JsonOption();
                var show = new Command("show", "Show a file: generation, identity and every entry.") { file, json };
                show.SetAction(r => ctx.Execute(r.GetValue(json), h => new GetProgramOperation { Paths = new[] { r.GetValue(file)! }, LiteralPaths = true }.Run(h)));
                cmd.Subcommands.Add(show);
            }
            {
                var file = FilesArgument("MACE files.");
                var json = JsonOption();
                var key = new Option<string>("--key") { Description = "Only keys matching this wildcard pattern." };
                var entries = new Command("entries", "List the entries of files, one per key.") { file, key, json };
                entries.SetAction(r => ctx.Execute(r.GetValue(json), h => new GetProgramEntryOperation
                {
                    Paths = r.GetValue(file)!, LiteralPaths = true, KeyPattern = r.GetValue(key),
                }.Run(h), alwaysArray: true));
                cmd.Subcommands.Add(entries);
            }
            {
                var files = FilesArgument("MACE files to check.");
                var json = JsonOption();
                var version = new Option<string>("--mace-version") { Description = "The MACE version that will load the file, e.g. v1.1.1-0-g8c75d39 (default: the version that wrote it)." };
                var platform = new Option<string>("--platform-info") { Description = "The platform-info string the target runtime computes on the target device." };
                var device = new Option<string>("--device-name") { Description = "MACE's device name for the target GPU (v1.1.1)." };
                var policy = new Option<string>("--reuse-policy") { Description = "v1.1.1 cache reuse policy: same-gpu (default) or none." };
                policy.AcceptOnlyFromAmong("same-gpu", "none");
                var test = new Command("test", "Check files without a device and say what a MACE runtime would do with them. Exit 1 if any check fails.")
                    { files, version, platform, device, policy, json };
                test.SetAction(r => ctx.Execute(r.GetValue(json), h => new TestProgramOperation
                {
                    Paths = r.GetValue(files)!, LiteralPaths = true,
                    Target = MaceTarget.From(r.GetValue(version), r.GetValue(platform), r.GetValue(device),
                        r.GetValue(policy) == "none" ? CacheReusePolicy.ReuseNone : CacheReusePolicy.ReuseSameGpu),
                }.Run(h), exitCode: h => h.Output.OfType<MaceTestResult>().Any(t => !t.Passed) ? ExitCodes.ProblemsFound : ExitCodes.Ok));
                cmd.Subcommands.Add(test);
            }
            {
                var file = FilesArgument("Files to convert.");
                var to = new Option<MaceFileFormat?>("--to") { Description = "Target generation: G1 (MACE ≤ v1.0.4) or G2 (v1.1.1); T1/T2 for tuning files." };
                var version = new Option<string>("--mace-version") { Description = "Retarget for this MACE version: its generation and its version in the platform info." };
                var device = new Option<string>("--device-name") { Description = "Store this v1.1.1 device name." };
                var output = new Option<string>("--out", "-o") { Description = "Output file (a directory for several inputs).", Required = true };
                var keep = new Option<bool>("--keep-order") { Description = "Keep the entry order and duplicates of the input instead of MACE's sorted order." };
                var noClobber = new Option<bool>("--no-clobber") { Description = "Fail instead of replacing an existing output file." };
                var whatIf = new Option<bool>("--what-if") { Description = "Say what would be written, write nothing." };
                var json = JsonOption();
                var convert = new Command("convert", "Rewrite files in another generation, or for another MACE version.") { file, to, version, device, output, keep, noClobber, whatIf, json };
                convert.SetAction(r => ctx.Execute(r.GetValue(json), h => new ConvertProgramOperation
                {
                    Paths = r.GetValue(file)!, LiteralPaths = true, To = r.GetValue(to),
                    MaceVersion = r.GetValue(version) is string v ? MaceVersion.Parse(v) : null,
                    DeviceName = r.GetValue(device), Destination = r.GetValue(output)!, KeepOrder = r.GetValue(keep), NoClobber = r.GetValue(noClobber),
                }.Run(h), whatIf: r.GetValue(whatIf)));
                cmd.Subcommands.Add(convert);
            }
            {
                var files = FilesArgument("Files to merge, in order (later files win).");
                var to = new Option<MaceFileFormat?>("--to") { Description = "Output generation (default: that of the first file)." };
                var output = new Option<string>("--out", "-o") { Description = "Output file.", Required = true };
                var force = new Option<bool>("--force") { Description = "Merge even when the platform info or device name differ." };
                var noClobber = new Option<bool>("--no-clobber") { Description = "Fail instead of replacing an existing output file." };
                var whatIf = new Option<bool>("--what-if") { Description = "Say what would be written, write nothing." };
                var json = JsonOption();
                var merge = new Command("merge", "Merge program files (or tuned-parameter files) into one, as MACE's merge does.") { files, to, output, force, noClobber, whatIf, json };
                merge.SetAction(r => ctx.Execute(r.GetValue(json), h => new MergeProgramOperation
                {
                    Paths = r.GetValue(files)!, LiteralPaths = true, To = r.GetValue(to), Destination = r.GetValue(output)!,
                    Force = r.GetValue(force), NoClobber = r.GetValue(noClobber),
                }.Run(h), whatIf: r.GetValue(whatIf)));
                cmd.Subcommands.Add(merge);
            }
            {
                var file = FilesArgument("Files to export.");
                var cpp = new Option<bool>("--cpp") { Description = "C++ source with LoadOpenCLBinary()/OpenCLBinarySize() (LoadOpenCLParameter()/OpenCLParameterSize() for tuning files)." };
                var text = new Option<bool>("--text") { Description = "A protobuf text-format view (.bin.pb style)." };
                var output = new Option<string>("--out", "-o") { Description = "Output file or directory (default: stdout)." };
                var load = new Option<string>("--load-function") { Description = "Name of the data function." };
                var size = new Option<string>("--size-function") { Description = "Name of the size function." };
                var maxBytes = new Option<int>("--max-bytes") { Description = "Text view: bytes of each binary to show (-1 for all).", DefaultValueFactory = _ => 64 };
                var noClobber = new Option<bool>("--no-clobber") { Description = "Fail instead of replacing an existing output file." };
                var export = new Command("export", "Export files as the C++ source MACE links, or as text.") { file, cpp, text, output, load, size, maxBytes, noClobber };
                export.Validators.Add(r =>
                {
                    if (r.GetValue(cpp) == r.GetValue(text)) r.AddError("give exactly one of --cpp and --text");
                });
                export.SetAction(r => ctx.Execute(false, h => new ExportProgramOperation
                {
                    Paths = r.GetValue(file)!, LiteralPaths = true, Format = r.GetValue(text) ? ExportFormat.Text : ExportFormat.Cpp,
                    Destination = r.GetValue(output), LoadFunction = r.GetValue(load), SizeFunction = r.GetValue(size), MaxBytes = r.GetValue(maxBytes),
                    NoClobber = r.GetValue(noClobber),
                }.Run(h)));
                cmd.Subcommands.Add(export);
            }
            return cmd;
        }

        private static Command BenchCommand(CommandContext ctx)
        {
            var cmd = new Command("bench", "Benchmarks that print figures.");
            var size = new Option<int>("--size-mb") { Description = "Size of the synthetic G2 file in MB.", DefaultValueFactory = _ => 256 };
            var dir = new Option<string>("--work-dir") { Description = "Where to write the temporary files (default: the system temp directory)." };
            var json = JsonOption();
            var codec = new Command("codec", "Decode/encode throughput (G2 and G1, CRC included) and peak memory of a decode.") { size, dir, json };
            codec.SetAction(r => ctx.Execute(r.GetValue(json), h => h.WriteObject(Formats.CodecBenchmark.Run(
                (long)r.GetValue(size) << 20, r.GetValue(dir) ?? System.IO.Path.GetTempPath(), h.WriteVerbose)), verbose: true));
            cmd.Subcommands.Add(codec);
            return cmd;
        }

        private static Command FuzzCommand(CommandContext ctx)
        {
            var cmd = new Command("fuzz", "Mutation fuzzing of the parsers.");
            var files = new Argument<string[]>("FILE") { Description = "Seed files (default: the real files in examples/mace-files).", Arity = ArgumentArity.ZeroOrMore };
            var cases = new Option<int>("--cases") { Description = "Number of mutated inputs.", DefaultValueFactory = _ => 100_000 };
            var seed = new Option<int>("--seed") { Description = "Random seed (runs are reproducible).", DefaultValueFactory = _ => 1 };
            var json = JsonOption();
            var codec = new Command("codec", "Decode mutated MACE files; any exception other than a MaceFormatException with an offset is a failure (exit 1).") { files, cases, seed, json };
            codec.SetAction(r => ctx.Execute(r.GetValue(json), h =>
            {
                var paths = r.GetValue(files) is { Length: > 0 } given ? given : System.IO.Directory.GetFiles(System.IO.Path.Combine(AppContext.BaseDirectory, "..", "..", "examples", "mace-files"), "*.bin");
                var seeds = paths.Select(Formats.FileIO.ReadAll).ToList();
                h.WriteObject(Formats.CodecFuzzer.Run(seeds, r.GetValue(cases), r.GetValue(seed), Environment.ProcessorCount));
            }, exitCode: h => h.Output.OfType<Formats.FuzzReport>().Any(f => f.FailureCount > 0) ? ExitCodes.ProblemsFound : ExitCodes.Ok));
            cmd.Subcommands.Add(codec);
            return cmd;
        }

        private static Command TuningCommand(CommandContext ctx)
        {
            var cmd = new Command("tuning", "Work with MACE tuned-parameter files (mace_run.config, *_tuned_opencl_parameter.*.bin).");
            var files = FilesArgument("Tuned-parameter files.");
            var json = JsonOption();
            var show = new Command("show", "List tuned work-group sizes with readable keys.") { files, json };
            show.SetAction(r => ctx.Execute(r.GetValue(json), h => new GetTuningParameterOperation { Paths = r.GetValue(files)!, LiteralPaths = true }.Run(h), alwaysArray: true));
            cmd.Subcommands.Add(show);
            return cmd;
        }
    }
}
