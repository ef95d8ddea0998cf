using System;
using System.CommandLine;
using System.Linq;
using MaceTools.Operations;
using MaceTools.Tuning;

namespace MaceTools.Cli
{
    /// <summary>The command tree. Each action binds options to one Core operation; nothing else happens here.</summary>
    internal static class Commands
    {
        /// <param name="args">The command line: only a bench or fuzz command loads MaceTools.Bench.dll (a driver worker starts without it).</param>
        public static RootCommand Build(CommandContext ctx, string[] args)
        {
            var root = new RootCommand("MaceTools: read, check, convert, merge and embed Xiaomi MACE OpenCL program-cache and tuned-parameter files.\n" +
                                       "Exit codes: 0 ok, 1 checks found problems, 2 bad input or usage, 3 other failure.\n" +
                                       "--json: JSON lines, one object per result on stdout and one per error, warning or message on stderr.");
            root.Subcommands.Add(DeviceCommand(ctx));
            root.Subcommands.Add(KernelCommand(ctx));
            root.Subcommands.Add(ConfigCommand(ctx));
            root.Subcommands.Add(ProgramCommand(ctx));
            root.Subcommands.Add(TuningCommand(ctx));
            root.Subcommands.Add(TuneCommand(ctx));
            root.Subcommands.Add(ReportCommand(ctx));
            root.Subcommands.Add(ModelCommand(ctx));
            // Global, so that they are known before and whatever the verb (the boundary reads them from the raw arguments).
            root.Options.Add(new Option<bool>("--debug") { Description = "Show debug messages, and the stack trace behind an error (as MACETOOLS_DEBUG=1 does).", Recursive = true });
            root.Options.Add(new Option<bool>("--verbose") { Description = "Show what each step does (PowerShell's -Verbose).", Recursive = true });
            BenchLoader.Add(root, ctx, args);
            var version = new Command("version", "Print the MaceTools version.");
            version.SetAction(_ => { ctx.Out.WriteLine(typeof(MaceProgram).Assembly.GetName().Version?.ToString(3)); return 0; });
            root.Subcommands.Add(version);
            var worker = new Command("worker", "Internal: serve OpenCL driver requests on stdin/stdout, so a crashing driver takes down only this process.") { Hidden = true };
            worker.SetAction(_ => OpenCL.DriverWorker.Run(Console.In, ctx.Protocol));
            root.Subcommands.Add(worker);
            var agent = new Command(Remote.AgentProtocol.Command, "Internal: answer JSON-line requests (hello, devices) on stdin/stdout; what MaceTools runs on a host over ssh.") { Hidden = true };
            agent.SetAction(_ => Agent.Run(Console.In, ctx.Protocol));
            root.Subcommands.Add(agent);
            return root;
        }

        internal static Option<bool> JsonOption() => new Option<bool>("--json") { Description = "JSON lines: one compact JSON object per result on stdout, and every error, warning and message as one JSON object per line on stderr." };
        private static Argument<string[]> FilesArgument(string description) => new Argument<string[]>("FILE") { Description = description, Arity = ArgumentArity.OneOrMore };
        /// <summary>Files that may be left out: Publish and drift then take the MACE-named files of the current folder.</summary>
        private static Argument<string[]> OptionalFilesArgument(string description) => new Argument<string[]>("FILE") { Description = description, Arity = ArgumentArity.ZeroOrMore };
        private static Argument<string> FileArgument(string description) => new Argument<string>("FILE") { Description = description };

        internal static Option<string> DeviceOption() => new Option<string>("--device") { Description = "The OpenCL device: an id from 'macetools device list' or a unique part of its name (default: the device MACE would use, else the first)." };

        private static Command DeviceCommand(CommandContext ctx)
        {
            var cmd = new Command("device", "OpenCL devices of this machine or of an inventory's hosts and phones, and how MACE identifies them.");
            var name = new Option<string>("--name") { Description = "Only devices whose name matches this wildcard pattern." };
            var maceDefault = new Option<bool>("--mace-default") { Description = "Only the device MACE itself would use (the first GPU of the first platform)." };
            var inventory = new Option<string>("--inventory") { Description = "A devices.yml: list the devices of its entries (Linux hosts over ssh, Android over adb) instead of this machine's. With --target or --tag and no --inventory: $MACETOOLS_INVENTORY, else ./devices.yml." };
            var targets = new Option<string[]>("--target") { Description = "With --inventory: only entries whose name matches this wildcard pattern (repeatable)." };
            var tags = new Option<string[]>("--tag") { Description = "With --inventory: only entries that carry this tag (repeatable)." };
            var json = JsonOption();
            var list = new Command("list", "List every OpenCL device of every platform, here or on an inventory's devices.") { name, maceDefault, inventory, targets, tags, json };
            list.SetAction(r => ctx.Execute(r.GetValue(json), h => new GetDeviceOperation
            {
                Name = r.GetValue(name), MaceDefault = r.GetValue(maceDefault), Inventory = r.GetValue(inventory),
                Targets = r.GetValue(targets) ?? Array.Empty<string>(), Tags = r.GetValue(tags) ?? Array.Empty<string>(),
            }.Run(h)));
            cmd.Subcommands.Add(list);
            return cmd;
        }

        private static Command KernelCommand(CommandContext ctx)
        {
            var cmd = new Command("kernel", "MaceTools' OpenCL kernel library (or a directory of MACE-shaped sources).");
            var name = new Option<string>("--name") { Description = "Only kernels whose name matches this wildcard pattern." };
            var program = new Option<string>("--program") { Description = "Only kernels of programs whose name matches this wildcard pattern." };
            var source = new Option<string>("--kernel-source") { Description = "A directory of .cl files and common.h (a MACE checkout's mace/ops/opencl/cl); default: MaceTools' own kernels." };
            var version = new Option<string>("--mace-version") { Description = "The MACE version whose source assembly the source hash describes (default v1.1.1-0-g8c75d39)." };
            var config = new Option<string>("--config") { Description = "A deployment file (mace.yml): list its GPU models' kernel launches (program key, tuning key, global size) instead of the library." };
            var devices = new Option<string[]>("--device") { Description = "With --config: devices to convert for, ids or name parts (repeatable; default: the device MACE would use)." };
            var modelCache = new Option<string>("--model-cache") { Description = "With --config: where downloaded models are kept (default: $MACETOOLS_MODEL_CACHE, else ~/.cache/macetools/models)." };
            var json = JsonOption();
            var list = new Command("list", "List the kernels: program, kernel, op, the build options each understands, MACE's symbol and the program hash; with --config, a model's kernel set.")
                { name, program, source, version, config, devices, modelCache, json };
            list.SetAction(r => ctx.Execute(r.GetValue(json), h => new GetKernelOperation
            {
                Name = r.GetValue(name),
                Program = r.GetValue(program),
                KernelSource = r.GetValue(source),
                Version = r.GetValue(version) is string v ? MaceVersion.Parse(v) : MaceVersion.Latest,
                Config = r.GetValue(config),
                Devices = (r.GetValue(devices) ?? Array.Empty<string>()).Select(s => Devices.LocalDevices.Select(s)).ToList(),
                ModelCache = r.GetValue(modelCache),
            }.Run(h), verbose: r.GetValue(config) != null));
            cmd.Subcommands.Add(list);
            return cmd;
        }

        private static Command ConfigCommand(CommandContext ctx)
        {
            var cmd = new Command("config", "Read and check MACE deployment files (mace.yml) of every schema generation.");
            {
                var files = FilesArgument("Deployment files (mace.yml).");
                var model = ModelOption("Only models whose name matches this wildcard pattern (repeatable).");
                var json = JsonOption();
                var show = new Command("show", "Show each file with MACE's defaults applied: generation, library, ABIs, formats, and every model with its subgraphs. A file with errors is an error naming line, column and key.")
                    { files, model, json };
                show.SetAction(r => ctx.Execute(r.GetValue(json), h => new GetConfigOperation
                {
                    Paths = r.GetValue(files)!, LiteralPaths = true, Model = r.GetValue(model),
                }.Run(h)));
                cmd.Subcommands.Add(show);
            }
            {
                var files = FilesArgument("Deployment files (mace.yml) to check.");
                var fetch = new Option<bool>("--fetch") { Description = "Also find or download every model file (cache: $MACETOOLS_MODEL_CACHE, else ~/.cache/macetools/models) and verify its SHA-256." };
                var json = JsonOption();
                var test = new Command("test", "Report every error and warning of each file with line, column and key, against MACE's rules for its schema generation. Exit 1 if a file has errors.")
                    { files, fetch, json };
                test.SetAction(r => ctx.Execute(r.GetValue(json), h => new TestConfigOperation
                {
                    Paths = r.GetValue(files)!, LiteralPaths = true, Fetch = r.GetValue(fetch),
                }.Run(h), verbose: r.GetValue(fetch), exitCode: h => h.Output.OfType<Config.MaceConfigTestResult>().Any(t => !t.Passed) ? ExitCodes.ProblemsFound : ExitCodes.Ok));
                cmd.Subcommands.Add(test);
            }
            return cmd;
        }

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
                }.Run(h)));
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
                var onDevice = DeviceOption();
                onDevice.Description = "Also load every entry on this OpenCL device (id or name part), in a worker process, and judge the file by this device's identity.";
                var config = new Option<string>("--config") { Description = "A deployment file (mace.yml): report tuned keys its GPU models' kernels would not look up, and kernels with no tuned entry." };
                var modelCache = new Option<string>("--model-cache") { Description = "With --config: where downloaded models are kept (default: $MACETOOLS_MODEL_CACHE, else ~/.cache/macetools/models)." };
                var inventory = new Option<string>("--inventory") { Description = "A devices.yml: with --target, load every entry on that entry's device (a Linux host over ssh, through the MaceTools agent). With --target and no --inventory: $MACETOOLS_INVENTORY, else ./devices.yml." };
                var target = new Option<string>("--target") { Description = "With --inventory: the entry (name or wildcard, one device) to load on instead of --device." };
                var test = new Command("test", "Check files and say what a MACE runtime would do with them; with --device, also load every entry on the device. Exit 1 if any check fails.")
                    { files, version, platform, device, policy, onDevice, config, modelCache, inventory, target, json };
                test.SetAction(r => ctx.Execute(r.GetValue(json), h => new TestProgramOperation
                {
                    Device = r.GetValue(onDevice) == null ? null : Devices.LocalDevices.Select(r.GetValue(onDevice)),
                    Config = r.GetValue(config),
                    ModelCache = r.GetValue(modelCache),
                    Inventory = r.GetValue(inventory),
                    Targets = r.GetValue(target) is string t ? new[] { t } : Array.Empty<string>(),
                    Paths = r.GetValue(files)!, LiteralPaths = true,
                    Target = MaceTarget.From(r.GetValue(version), r.GetValue(platform), r.GetValue(device),
                        r.GetValue(policy) == "none" ? CacheReusePolicy.ReuseNone : CacheReusePolicy.ReuseSameGpu),
                }.Run(h), exitCode: h => h.Output.OfType<MaceTestResult>().Any(t => !t.Passed) ? ExitCodes.ProblemsFound : ExitCodes.Ok));
                cmd.Subcommands.Add(test);
            }
            {
                var file = FilesArgument("Files to convert.");
                var to = new Option<MaceFileFormat?>("--to") { Description = "Target generation: G1 (MACE ≤ v1.0.4) or G2 (v1.1.1); T1/T2 for tuning files." };
                var version = new Option<string>("--mace-version") { Description = "Retarget for this MACE version: its generation and its version in the platform info. Any string MACE reports is written as given ('unknown' for a MACE built without .git; the generation then comes from --to, else G2)." };
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
                    MaceVersion = r.GetValue(version) is string v ? MaceVersion.ForRuntime(v, r.GetValue(to), checkGeneration: false) : null,
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
            {
                var from = new Option<string>("--from") { Description = "Rebuild the programs of this program file (re-targeted to the device)." };
                var kernel = new Option<string[]>("--kernel") { Description = "A MACE program key to build, e.g. 'softmax -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Dsoftmax=s4wA5uH' (repeatable).", AllowMultipleArgumentsPerToken = false };
                var source = new Option<string>("--kernel-source") { Description = "A directory of .cl files and common.h (a MACE checkout's mace/ops/opencl/cl); default: MaceTools' own kernels." };
                var devices = new Option<string[]>("--device") { Description = "Devices to build for: ids or name parts (repeatable; default: the device MACE would use, else the first)." };
                var version = new Option<string>("--mace-version") { Description = "The version string of the MACE that will load the file, as it reports it: a tag or describe string (v1.1.1-0-g8c75d39), 'unknown' (MACE built without .git), or another repository's describe string. It goes into the platform info as given. Default: the --from file's, else v1.1.1-0-g8c75d39." };
                var to = new Option<MaceFileFormat?>("--to") { Description = "The file generation, G1 (MACE ≤ v1.0.4) or G2 (v1.1.1). Default: that of a recognised --mace-version, else of the --from file, else G2." };
                var output = new Option<string>("--out", "-o") { Description = "Output file (one device class only)." };
                var dest = new Option<string>("--dest") { Description = "Directory for MACE-named files <library>_compiled_opencl_kernel.<device>.<soc>.bin (default: the current directory)." };
                var library = new Option<string>("--library") { Description = "Library name in MACE's file name.", DefaultValueFactory = _ => "mace" };
                var jobs = new Option<int>("--jobs", "-j") { Description = "Parallel builds.", DefaultValueFactory = _ => Environment.ProcessorCount };
                var force = new Option<bool>("--force") { Description = "Rebuild everything, ignoring the build cache." };
                var cacheDir = new Option<string>("--cache-dir") { Description = "The build cache directory (default: $MACETOOLS_CACHE_DIR, else ~/.cache/macetools/builds)." };
                var noClobber = new Option<bool>("--no-clobber") { Description = "Fail instead of replacing an existing output file." };
                var whatIf = new Option<bool>("--what-if") { Description = "Build, but say what would be written and write nothing." };
                var config = new Option<string>("--config") { Description = "A deployment file (mace.yml): convert its GPU models and build their kernel set (the file is named after its library_name)." };
                var modelCache = new Option<string>("--model-cache") { Description = "Where downloaded models are kept (default: $MACETOOLS_MODEL_CACHE, else ~/.cache/macetools/models)." };
                var json = JsonOption();
                var inventory = new Option<string>("--inventory") { Description = "A devices.yml: with --target, build for its entries' devices, on their hosts (Linux over ssh, through the MaceTools agent). With --target and no --inventory: $MACETOOLS_INVENTORY, else ./devices.yml." };
                var targets = new Option<string[]>("--target") { Description = "With --inventory: build for this entry's devices (name or wildcard; repeatable).", AllowMultipleArgumentsPerToken = false };
                var noWarmup = new Option<bool>("--no-warmup") { Description = "With --config: read each binary right after its build, without first launching the model's kernels at their real sizes (the launches put the driver's per-work-group-size compiles into the file, so MACE's first inference does not pay them)." };
                var tuned = new Option<string>("--tuned") { Description = "With --config: a tuned-parameter file (or its .macetools.json sidecar); the warm-up launches at its local sizes, as MACE will." };
                var create = new Command("new", "Compile MACE programs for OpenCL devices and write one program file per device class.")
                    { from, kernel, config, source, devices, version, to, output, dest, library, jobs, force, cacheDir, modelCache, inventory, targets, noClobber, whatIf, noWarmup, tuned, json };
                create.SetAction(r => ctx.Execute(r.GetValue(json), h => new NewProgramOperation
                {
                    From = r.GetValue(from),
                    Kernels = r.GetValue(kernel) ?? Array.Empty<string>(),
                    Config = r.GetValue(config),
                    ModelCache = r.GetValue(modelCache),
                    KernelSource = r.GetValue(source),
                    Devices = (r.GetValue(devices) ?? Array.Empty<string>()).Select(s => Devices.LocalDevices.Select(s)).ToList(),
                    Version = r.GetValue(version) is string v ? MaceVersion.ForRuntime(v) : null,
                    Generation = r.GetValue(to),
                    OutFile = r.GetValue(output),
                    Destination = r.GetValue(dest),
                    Library = r.GetValue(library)!,
                    Parallelism = Math.Max(1, r.GetValue(jobs)),
                    Force = r.GetValue(force),
                    Cache = r.GetValue(cacheDir) is string c ? new Compilation.BuildCache(c) : Compilation.BuildCache.Default(),
                    NoClobber = r.GetValue(noClobber),
                    Inventory = r.GetValue(inventory),
                    Targets = r.GetValue(targets) ?? Array.Empty<string>(),
                    NoWarmup = r.GetValue(noWarmup),
                    TunedParameter = r.GetValue(tuned),
                }.Run(h), whatIf: r.GetValue(whatIf), verbose: true));
                cmd.Subcommands.Add(create);
            }
            {
                var file = FilesArgument("Program files to measure.");
                var device = DeviceOption();
                var source = new Option<string>("--kernel-source") { Description = "Sources to build from (default: MaceTools' own kernels)." };
                var repeat = new Option<int>("--repeat") { Description = "Builds per program and way; medians are reported.", DefaultValueFactory = _ => 5 };
                var json = JsonOption();
                var config = new Option<string>("--config") { Description = "A deployment file (mace.yml): also time the first inference of its GPU models' kernel set (load or build, then the first launch of every kernel at its real sizes) from source, from build-only binaries, from warmed binaries and from the file. Without it only builds are timed." };
                var modelCache = new Option<string>("--model-cache") { Description = "With --config: where downloaded models are kept (default: $MACETOOLS_MODEL_CACHE, else ~/.cache/macetools/models)." };
                var tuned = new Option<string>("--tuned") { Description = "With --config: a tuned-parameter file; the launches use its local sizes." };
                var measure = new Command("measure", "Time start-up with and without the file: each program built from source against from its binary, driver cache off; with --config, the time to first inference.")
                    { file, device, source, repeat, config, modelCache, tuned, json };
                measure.SetAction(r => ctx.Execute(r.GetValue(json), h => new MeasureProgramOperation
                {
                    Paths = r.GetValue(file)!, LiteralPaths = true,
                    Device = Devices.LocalDevices.Select(r.GetValue(device)),
                    KernelSource = r.GetValue(source),
                    Repeat = Math.Max(1, r.GetValue(repeat)),
                    Config = r.GetValue(config),
                    ModelCache = r.GetValue(modelCache),
                    TunedParameter = r.GetValue(tuned),
                }.Run(h), verbose: true));
                cmd.Subcommands.Add(measure);
            }
            {
                var files = OptionalFilesArgument("Program and tuned-parameter files; each device gets the one named for it (<library>_compiled_opencl_kernel.<device>.<soc>.bin). Default: the MACE-named files of the current folder.");
                var inventory = new Option<string>("--inventory") { Description = "The devices.yml (MACE's keys plus program_path, tuning_path, transport, tags). Default: $MACETOOLS_INVENTORY, else ./devices.yml." };
                var target = new Option<string[]>("--target") { Description = "Publish to this device (name, wildcards; repeatable; default: all).", AllowMultipleArgumentsPerToken = false };
                var tag = new Option<string[]>("--tag") { Description = "Publish to devices with this tag (repeatable).", AllowMultipleArgumentsPerToken = false };
                var throttle = new Option<int>("--throttle") { Description = "Devices published at once.", DefaultValueFactory = _ => 8 };
                var force = new Option<bool>("--force") { Description = "Publish a file whose name is for another device, or names none." };
                var whatIf = new Option<bool>("--what-if") { Description = "Say what would be published, touch no device." };
                var json = JsonOption();
                var publish = new Command("publish", "Put files on the devices of an inventory atomically (temporary upload, remote SHA-256 check, backup, rename, roll back on failure). Exit 1 if any device failed.")
                    { files, inventory, target, tag, throttle, force, whatIf, json };
                publish.SetAction(r => ctx.Execute(r.GetValue(json), h => new PublishProgramOperation
                {
                    Paths = r.GetValue(files) ?? Array.Empty<string>(), LiteralPaths = true,
                    FindFiles = (r.GetValue(files) ?? Array.Empty<string>()).Length == 0,
                    Inventory = r.GetValue(inventory) ?? "",
                    Targets = r.GetValue(target) ?? Array.Empty<string>(),
                    Tags = r.GetValue(tag) ?? Array.Empty<string>(),
                    ThrottleLimit = Math.Max(1, r.GetValue(throttle)),
                    Force = r.GetValue(force),
                }.Run(h), whatIf: r.GetValue(whatIf),
                    exitCode: h => h.Output.OfType<Remote.PublishResult>().Any(p => p.Status == Remote.PublishStatus.Failed || p.Status == Remote.PublishStatus.RolledBack) ? ExitCodes.ProblemsFound : ExitCodes.Ok,
                    resultErrors: (h, e) => h.Output.OfType<Remote.PublishResult>().Any(p => p.Device == (string?)e.Target && (p.Status == Remote.PublishStatus.Failed || p.Status == Remote.PublishStatus.RolledBack))));
                cmd.Subcommands.Add(publish);
            }
            {
                var files = OptionalFilesArgument("Our program files; each device is compared with the one named for it, or with the only one given. Default: the MACE-named files of the current folder.");
                var inventory = new Option<string>("--inventory") { Description = "The devices.yml (MACE's keys plus program_path, transport, tags). Default: $MACETOOLS_INVENTORY, else ./devices.yml." };
                var target = new Option<string[]>("--target") { Description = "Check this device (name, wildcards; repeatable; default: all).", AllowMultipleArgumentsPerToken = false };
                var tag = new Option<string[]>("--tag") { Description = "Check devices with this tag (repeatable).", AllowMultipleArgumentsPerToken = false };
                var remotePath = new Option<string>("--remote-path") { Description = "MACE's cache file on the device (default: mace_cl_compiled_program.bin in program_path's folder)." };
                var json = JsonOption();
                var drift = new Command("drift", "After the app ran: read MACE's own cache file from each device and say whether MACE kept our programs or rebuilt them. Exit 1 unless every device's verdict is Kept.")
                    { files, inventory, target, tag, remotePath, json };
                drift.SetAction(r => ctx.Execute(r.GetValue(json), h => new CompareProgramOperation
                {
                    Paths = r.GetValue(files) ?? Array.Empty<string>(), LiteralPaths = true,
                    FindFiles = (r.GetValue(files) ?? Array.Empty<string>()).Length == 0,
                    Inventory = r.GetValue(inventory) ?? "",
                    Targets = r.GetValue(target) ?? Array.Empty<string>(),
                    Tags = r.GetValue(tag) ?? Array.Empty<string>(),
                    RemotePath = r.GetValue(remotePath),
                }.Run(h),
                    exitCode: h => h.Output.OfType<Remote.MaceDriftResult>().Any(d => d.Verdict != Remote.DriftVerdict.Kept) ? ExitCodes.ProblemsFound : ExitCodes.Ok));
                cmd.Subcommands.Add(drift);
            }
            return cmd;
        }

        /// <summary>A file of the repository's examples/mace-files, found from the installed CLI (out/cli) or the build folder.</summary>
        internal static string ExampleFile(string name, string folder = "mace-files")
        {
            for (var d = new System.IO.DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            {
                string p = System.IO.Path.Combine(d.FullName, "examples", folder, name);
                if (System.IO.File.Exists(p)) return p;
            }
            throw new MaceException(ErrorIds.FileNotFound, MaceErrorCategory.ObjectNotFound, $"examples/{folder}/{name} not found above {AppContext.BaseDirectory}: give the file", name);
        }

        /// <summary>--model: a wildcard pattern over a deployment file's model names (repeatable).</summary>
        private static Option<string[]> ModelOption(string description) => new Option<string[]>("--model") { Description = description, AllowMultipleArgumentsPerToken = false };

        private static Command TuneCommand(CommandContext ctx)
        {
            var config = new Option<string>("--config") { Description = "The deployment file (mace.yml) whose GPU models' kernels are tuned.", Required = true };
            var model = ModelOption("Only the models whose name matches this wildcard pattern (repeatable; default: every GPU model).");
            var devices = new Option<string[]>("--device") { Description = "Devices to tune on, ids or name parts (repeatable; default: the device MACE would use)." };
            var strategy = new Option<TuningStrategy>("--strategy") { Description = "auto (ours: few launches, noise-aware), mace (MACE's list and timing rule) or exhaustive (every size of the space: the reference optimum).", DefaultValueFactory = _ => TuningStrategy.Auto };
            var version = new Option<string>("--mace-version") { Description = "The MACE version that reads the file: T2 from v1.1, T1 before (default v1.1.1-0-g8c75d39)." };
            var output = new Option<string>("--out") { Description = "The output file (one device class only); default: <library_name>_tuned_opencl_parameter.<device>.<soc>.bin." };
            var dest = new Option<string>("--dest") { Description = "The directory MACE-named files go to (default: the current directory)." };
            var modelCache = new Option<string>("--model-cache") { Description = "Where downloaded models are kept (default: $MACETOOLS_MODEL_CACHE, else ~/.cache/macetools/models)." };
            var seed = new Option<int>("--seed") { Description = "Seeds the search's sampling, so a run can be repeated.", DefaultValueFactory = _ => 1 };
            var noClobber = new Option<bool>("--no-clobber") { Description = "Fail rather than replace an existing file." };
            var whatIf = new Option<bool>("--what-if") { Description = "Convert and say what would be tuned and written; launch and write nothing." };
            var json = JsonOption();
            var tune = new Command("tune", "Tune the local work sizes of a deployment file's kernels on OpenCL devices and write MACE's tuned-parameter file (plus a .macetools.json record). Ctrl+C writes what was tuned to FILE.partial.")
                { config, model, devices, strategy, version, output, dest, modelCache, seed, noClobber, whatIf, json };
            tune.SetAction(r => ctx.Execute(r.GetValue(json), h => new OptimizeProgramOperation
            {
                Config = r.GetValue(config)!,
                Model = r.GetValue(model),
                Devices = (r.GetValue(devices) ?? Array.Empty<string>()).Select(s => Devices.LocalDevices.Select(s)).ToList(),
                Strategy = r.GetValue(strategy),
                Version = r.GetValue(version) is string v ? MaceVersion.Parse(v) : MaceVersion.Latest,
                OutFile = r.GetValue(output),
                Destination = r.GetValue(dest),
                ModelCache = r.GetValue(modelCache),
                Seed = r.GetValue(seed),
                NoClobber = r.GetValue(noClobber),
            }.Run(h), whatIf: r.GetValue(whatIf), verbose: true));
            return tune;
        }

        private static Command ReportCommand(CommandContext ctx)
        {
            var input = new Option<string[]>("--in") { Description = "JSON lines that other verbs wrote with --json (results on stdout; error lines from stderr too); repeatable.", Required = true, AllowMultipleArgumentsPerToken = false };
            var output = new Option<string>("--out") { Description = "The HTML file to write.", Required = true };
            var title = new Option<string>("--title") { Description = "The page's title.", DefaultValueFactory = _ => "MaceTools report" };
            var noClobber = new Option<bool>("--no-clobber") { Description = "Fail rather than replace an existing file." };
            var whatIf = new Option<bool>("--what-if") { Description = "Read the results and say what would be written; write nothing." };
            var json = JsonOption();
            var report = new Command("report", "Write one self-contained HTML page (inline SVG charts and tables, no script) of start-up, tuning, test, publish and drift results.")
                { input, output, title, noClobber, whatIf, json };
            report.SetAction(r => ctx.Execute(r.GetValue(json), h =>
            {
                var op = new Report.ExportReportOperation { Destination = r.GetValue(output)!, Title = r.GetValue(title)!, NoClobber = r.GetValue(noClobber) };
                foreach (string path in r.GetValue(input) ?? Array.Empty<string>()) op.AddJsonLines(h, path);
                op.Run(h);
            }, whatIf: r.GetValue(whatIf)));
            return report;
        }

        /// <summary>macetools model run|validate|measure: Invoke-MaceModel, Test-MaceModel and Measure-MaceModel.</summary>
        private static Command ModelCommand(CommandContext ctx)
        {
            var cmd = new Command("model", "Run a deployment file's model on OpenCL devices, validate it against ONNX Runtime and measure its latency (MACE's run --validate --round=N).");
            Option<string> Config() => new Option<string>("--config") { Description = "The deployment file (mace.yml) whose GPU models run.", Required = true };
            Option<string[]> Models() => ModelOption("Only the models whose name matches this wildcard pattern (repeatable; default: every GPU model).");
            Option<string[]> Devices() => new Option<string[]>("--device") { Description = "Local devices to run on, ids or name parts (repeatable; default: the device MACE would use)." };
            Option<string> Tuned() => new Option<string>("--tuned-parameter") { Description = "A tuned-parameter file: its local sizes instead of MACE's default formula." };
            Option<string[]> Inputs() => new Option<string[]>("--input") { Description = "Input files, one per model input in input_tensors order: raw little-endian float32 or .npy (default: the file's validation_inputs_data, else seeded random values in input_ranges)." };
            Option<int> Seed() => new Option<int>("--seed") { Description = "Seeds the random inputs.", DefaultValueFactory = _ => 1 };
            Option<string> Cache() => new Option<string>("--model-cache") { Description = "Where downloaded models are kept (default: $MACETOOLS_MODEL_CACHE, else ~/.cache/macetools/models)." };
            Option<string> Programs() => new Option<string>("--program-file") { Description = "A program file (mace_cl_compiled_program.bin, e.g. program new --config's): run with its programs, created from their binaries as MACE's runtime starts from its cache, instead of building from source. It must hold every program the model needs and be made for the device." };
            Option<string> Inventory() => new Option<string>("--inventory") { Description = "A devices.yml: with --target, run on its entries' devices (Linux hosts over ssh, through the MaceTools agent; adb devices are refused). With --target and no --inventory: $MACETOOLS_INVENTORY, else ./devices.yml." };
            Option<string[]> Targets() => new Option<string[]>("--target") { Description = "Run on this inventory entry's devices (name or wildcard; repeatable).", AllowMultipleArgumentsPerToken = false };
            T Bind<T>(T op, ParseResult r, Option<string> config, Option<string[]> model, Option<string[]> devices, Option<string>? tuned, Option<string[]> inputs, Option<int> seed, Option<string> cache, Option<string> programs,
                Option<string> inventory, Option<string[]> targets) where T : ModelOperation
            {
                op.ProgramFile = r.GetValue(programs);
                op.Inventory = r.GetValue(inventory);
                op.Targets = r.GetValue(targets) ?? Array.Empty<string>();
                op.Config = r.GetValue(config)!;
                op.Model = r.GetValue(model);
                op.Devices = (r.GetValue(devices) ?? Array.Empty<string>()).Select(s => MaceTools.Devices.LocalDevices.Select(s)).ToList();
                if (tuned != null) op.TunedParameter = r.GetValue(tuned);
                op.Input = r.GetValue(inputs) ?? Array.Empty<string>();
                op.Seed = r.GetValue(seed);
                op.ModelCache = r.GetValue(cache);
                return op;
            }

            {
                var config = Config(); var model = Models(); var devices = Devices(); var tuned = Tuned(); var inputs = Inputs(); var seed = Seed(); var cache = Cache(); var programs = Programs(); var inventory = Inventory(); var targets = Targets();
                var rounds = new Option<int>("--round") { Description = "Timed inferences per sample (one untimed warm-up first when more than one).", DefaultValueFactory = _ => 1 };
                var count = new Option<int>("--count") { Description = "Without --input: how many random samples.", DefaultValueFactory = _ => 1 };
                var outputPath = new Option<string>("--output-path") { Description = "A folder for the outputs as raw little-endian float32 files (<model>_<output>.raw)." };
                var json = JsonOption();
                var run = new Command("run", "Run the model: outputs (NCHW, by ONNX output name), wall and kernel times per inference.") { config, model, devices, inventory, targets, tuned, inputs, seed, cache, programs, rounds, count, outputPath, json };
                run.SetAction(r => ctx.Execute(r.GetValue(json), h =>
                {
                    var op = Bind(new InvokeModelOperation(), r, config, model, devices, tuned, inputs, seed, cache, programs, inventory, targets);
                    op.Round = r.GetValue(rounds);
                    op.Count = r.GetValue(count);
                    op.OutputPath = r.GetValue(outputPath);
                    op.Run(h);
                }));
                cmd.Subcommands.Add(run);
            }
            {
                var config = Config(); var model = Models(); var devices = Devices(); var tuned = Tuned(); var inputs = Inputs(); var seed = Seed(); var cache = Cache(); var programs = Programs(); var inventory = Inventory(); var targets = Targets();
                var count = new Option<int>("--count") { Description = "Without --input: how many random samples.", DefaultValueFactory = _ => 10 };
                var threshold = new Option<double?>("--threshold") { Description = "The cosine-similarity threshold (default: the file's validation_threshold for GPU, else MACE's 0.995)." };
                var json = JsonOption();
                var validate = new Command("validate", "Validate every output against ONNX Runtime's CPU provider (cosine, SQNR, pixel accuracy, max errors); on a failure, name the first divergent node. Exit 1 when an output fails.")
                    { config, model, devices, inventory, targets, tuned, inputs, seed, cache, programs, count, threshold, json };
                validate.SetAction(r => ctx.Execute(r.GetValue(json), h =>
                {
                    var op = Bind(new TestModelOperation(), r, config, model, devices, tuned, inputs, seed, cache, programs, inventory, targets);
                    op.Count = r.GetValue(count);
                    op.Threshold = r.GetValue(threshold);
                    op.Run(h);
                }, exitCode: h => h.Output.OfType<Runtime.MaceValidationResult>().Any(t => !t.Passed) ? ExitCodes.ProblemsFound : ExitCodes.Ok));
                cmd.Subcommands.Add(validate);
            }
            {
                var config = Config(); var model = Models(); var devices = Devices(); var inputs = Inputs(); var seed = Seed(); var cache = Cache(); var programs = Programs(); var inventory = Inventory(); var targets = Targets();
                var tuned = new Option<string[]>("--tuned-parameter") { Description = "A tuned-parameter file to measure beside MACE's default sizes (repeatable: each file is one way, e.g. tune's output and its --strategy mace output)." };
                var rounds = new Option<int>("--round") { Description = "Interleaved rounds: each way times one inference per round, the ways in a shuffled order.", DefaultValueFactory = _ => 10 };
                var noReference = new Option<bool>("--no-reference") { Description = "Leave out ONNX Runtime's CPU provider." };
                var json = JsonOption();
                var measure = new Command("measure", "Latency with MACE's default local sizes, each tuned file and ONNX Runtime's CPU provider, side by side in interleaved rounds: min/median/p90/max, each gain over the default with its 95% interval, host overhead, per-op profile, time to first inference.")
                    { config, model, devices, inventory, targets, tuned, inputs, seed, cache, programs, rounds, noReference, json };
                measure.SetAction(r => ctx.Execute(r.GetValue(json), h =>
                {
                    var op = Bind(new MeasureModelOperation(), r, config, model, devices, null, inputs, seed, cache, programs, inventory, targets);
                    op.TunedParameters = r.GetValue(tuned) ?? Array.Empty<string>();
                    op.Round = r.GetValue(rounds);
                    op.Reference = !r.GetValue(noReference);
                    op.Run(h);
                }));
                cmd.Subcommands.Add(measure);
            }
            return cmd;
        }

        private static Command TuningCommand(CommandContext ctx)
        {
            var cmd = new Command("tuning", "Work with MACE tuned-parameter files (mace_run.config, *_tuned_opencl_parameter.*.bin).");
            var files = FilesArgument("Tuned-parameter files.");
            var json = JsonOption();
            var show = new Command("show", "List tuned work-group sizes with readable keys.") { files, json };
            show.SetAction(r => ctx.Execute(r.GetValue(json), h => new GetTuningParameterOperation { Paths = r.GetValue(files)!, LiteralPaths = true }.Run(h)));
            cmd.Subcommands.Add(show);
            return cmd;
        }
    }
}
