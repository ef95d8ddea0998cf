using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.Compilation;
using MaceTools.Kernels;
using MaceTools.OpenCL;
using MaceTools.Verification;

namespace MaceTools.Operations
{
    /// <summary>Start-up cost of one program: building it from source against loading its binary, medians of repeats.</summary>
    public sealed class MaceEntryMeasurement
    {
        public string Key { get; internal set; } = "";
        public string Program => ProgramKey.Parse(Key).Program;
        public double FromSourceMs { get; internal set; }
        public double FromBinaryMs { get; internal set; }
        public double Speedup => FromBinaryMs > 0 ? FromSourceMs / FromBinaryMs : 0;
        public double[] FromSourceSamples { get; internal set; } = new double[0];
        public double[] FromBinarySamples { get; internal set; } = new double[0];

        /// <summary>What Format-List shows for MaceMeasurement.Entries: the program and its times, not the type name.</summary>
        public override string ToString() => System.FormattableString.Invariant($"{Program}: {FromSourceMs:0.0} ms / {FromBinaryMs:0.0} ms");
    }

    /// <summary>What a program file saves at start-up on a device: per entry and in total.</summary>
    public sealed class MaceMeasurement
    {
        public string Path { get; internal set; } = "";
        public string Device { get; internal set; } = "";
        public int Repeat { get; internal set; }
        public MaceEntryMeasurement[] Entries { get; internal set; } = new MaceEntryMeasurement[0];
        /// <summary>What the first build of a process costs beyond a later one (the compiler's own start-up), paid only without the file.</summary>
        public double CompilerStartMs { get; internal set; }
        /// <summary>Start-up without the file: compiler start plus every program from source.</summary>
        public double WithoutFileMs => CompilerStartMs + Entries.Sum(e => e.FromSourceMs);
        /// <summary>Start-up with the file: every program from its binary.</summary>
        public double WithFileMs => Entries.Sum(e => e.FromBinaryMs);
        public double Speedup => WithFileMs > 0 ? WithoutFileMs / WithFileMs : 0;
        /// <summary>Entries that could not be timed (no source, binary refused, driver crash); each was also reported as an error.</summary>
        public int Skipped { get; internal set; }
        /// <summary>
        /// With a deployment file: time to first inference of the model's kernel set per way of starting (from source, from
        /// build-only binaries, from binaries read after the warm-up, from this file), each in a fresh worker. Empty without one.
        /// </summary>
        public MaceStartup[] Startup { get; internal set; } = new MaceStartup[0];
        /// <summary>What was measured: builds only, or builds and the first inference.</summary>
        public string Scope { get; internal set; } = "";
    }

    /// <summary>
    /// Measure-MaceProgram / macetools program measure: times build-from-source against build-from-binary for each program
    /// of a file on a device, in a driver worker with the driver's own cache off (pocl: POCL_KERNEL_CACHE=0 and a fresh
    /// cache directory), so the comparison is honest.
    /// </summary>
    public sealed class MeasureProgramOperation : FileOperation
    {
        public MaceDevice? Device { get; set; }
        public string? KernelSource { get; set; }
        public int Repeat { get; set; } = 5;
        public WorkerCommand? Worker { get; set; }
        /// <summary>A deployment file (mace.yml): also time the first inference of its GPU models' kernel set (<see cref="MaceMeasurement.Startup"/>).</summary>
        public string? Config { get; set; }
        public string? ModelCache { get; set; }
        /// <summary>A tuned-parameter file: the launches use its local sizes, as MACE does with it.</summary>
        public string? TunedParameter { get; set; }
        protected override string Activity => "Measuring start-up";

        /// <summary>Says once what a run without a deployment file does not see.</summary>
        private bool _saidBuildsOnly;

        protected override void ProcessFile(IOperationHost host, string path)
        {
            var file = MaceProgram.Load(path);
            if (file.Kind != MaceFileKind.Programs)
                throw new MaceException(ErrorIds.KindMismatch, MaceErrorCategory.InvalidArgument, $"{path}: is a tuned-parameter file; only program files can be measured", path);
            Remote.DeviceBackends.RequireLocal(Device, "Measure-MaceProgram");
            var device = Device ?? LocalDevices.Select(null);
            var sources = KernelSource == null ? KernelSourceSet.Builtin : KernelSourceSet.FromDirectory(PathResolver.FullPath(KernelSource, host.CurrentDirectory));
            var version = RuntimeRules.WriterVersion(file);
            var result = new MaceMeasurement { Path = path, Device = device.Name, Repeat = Repeat };
            var entries = new List<MaceEntryMeasurement>();
            double? firstOverhead = null;
            var programs = file.Entries.Where(e => e.Kind == MaceEntryKind.Program).ToList();
            using var scratch = new ScratchDirectory("measure");
            string copy = scratch.File("file.bin");
            File.WriteAllBytes(copy, file.CopyBytes());
            {
                using var driver = new DriverProcess(Worker ?? WorkerCommand.Locate(), new Dictionary<string, string> { ["POCL_KERNEL_CACHE"] = "0" });
                for (int i = 0; i < programs.Count; i++)
                {
                    host.CancellationToken.ThrowIfCancellationRequested();
                    var entry = programs[i];
                    host.WriteProgress(new OperationProgress(4, $"Measuring {file.Name} on {device.Name}", entry.Key, 100 * i / programs.Count));
                    var m = MeasureOne(driver, entry, device, sources, version, copy, file.Sha256, scratch.File(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), host, out double first);
                    if (m == null) { result.Skipped++; continue; }
                    firstOverhead ??= Math.Max(0, first - m.FromSourceMs);
                    entries.Add(m);
                }
                host.WriteProgress(new OperationProgress(4, $"Measuring {file.Name} on {device.Name}", "done", 100, completed: true));
            }
            result.Entries = entries.ToArray();
            result.CompilerStartMs = firstOverhead ?? 0;
            if (Config == null)
            {
                result.Scope = "builds only: create and build of each program; the first launches, where drivers such as pocl compile each work-group size, need a model (-Config)";
                if (!_saidBuildsOnly) host.WriteVerbose($"measuring {result.Scope}");
                _saidBuildsOnly = true;
            }
            else
            {
                result.Scope = "builds, and the first inference of the deployment file's kernel set";
                result.Startup = MeasureStartup(file, device, sources, version, host).ToArray();
            }
            host.WriteObject(result);
        }

        /// <summary>
        /// Time to first inference of the model's kernel set per way of starting: from source; from binaries read right after
        /// their builds; from binaries read after the warm-up; from this file (its programs, the rest from source as MACE
        /// would). The two kinds of binaries are built here, now, so the comparison is like for like.
        /// </summary>
        private List<MaceStartup> MeasureStartup(MaceProgram file, MaceDevice device, KernelSourceSet sources, MaceVersion version, IOperationHost host)
        {
            string cwd = host.CurrentDirectory;
            var config = MaceTools.Config.MaceConfigReader.Read(PathResolver.FullPath(Config!, cwd));
            using var fetcher = Conversion.ConfigConversion.Fetcher(ModelCache, host);
            var sets = Conversion.ConfigConversion.Convert(config, device, version, fetcher, host);
            var tuned = TunedParameter == null ? null : Warmup.ReadTuned(PathResolver.FullPath(TunedParameter, cwd));
            var launches = Warmup.Launches(sets, tuned);
            var keys = sets.SelectMany(s => s.ProgramKeys).Distinct(StringComparer.Ordinal).Where(k =>
            {
                string? refusal = BuildJob.Refusal(k, device, sources);
                if (refusal != null) host.WriteWarning($"{k}: left out of the first-inference measurement on {device.Name}: {refusal}");
                return refusal == null;
            }).OrderBy(k => k, StringComparer.Ordinal).ToList();
            launches = launches.Where(l => keys.Contains(l.Launch.ProgramKey)).ToList();
            var worker = Worker ?? WorkerCommand.Locate();
            var jobs = keys.Select(k => new BuildJob(k, device, sources, version)).ToList();
            var compiler = new ProgramCompiler(worker) { Cache = null, Force = true };
            compiler.WorkerEnvironment["POCL_KERNEL_CACHE"] = "0";
            var buildOnly = Binaries(compiler.Build(jobs, host));
            foreach (var j in jobs) j.Warmup = launches.Where(l => l.Launch.ProgramKey == j.Key).ToList();
            var specialised = Binaries(compiler.Build(jobs, host));
            var inFile = file.Entries.Where(e => e.Kind == MaceEntryKind.Program).ToDictionary(e => e.Key, e => e.GetValue(), StringComparer.Ordinal);
            int missing = keys.Count(k => !inFile.ContainsKey(k));
            if (missing > 0) host.WriteWarning($"{file.Path}: {missing} of the model's {keys.Count} programs are not in the file; its start-up builds them from source, as MACE would");

            var ways = new List<(string Way, List<StartupProgram> Programs)>
            {
                ("Source", StartupProbe.Programs(keys, null, sources, version)),
                ("BuildOnly", StartupProbe.Programs(keys, buildOnly, sources, version)),
                ("Specialised", StartupProbe.Programs(keys, specialised, sources, version)),
                ("File", StartupProbe.Programs(keys, inFile, sources, version)),
            };
            var results = new List<MaceStartup>();
            for (int i = 0; i < ways.Count; i++)
            {
                host.CancellationToken.ThrowIfCancellationRequested();
                host.WriteProgress(new OperationProgress(4, $"First inference on {device.Name}", ways[i].Way, 100 * i / ways.Count));
                var r = StartupProbe.Run(ways[i].Way, device, worker, ways[i].Programs, launches, host.CancellationToken);
                foreach (var f in r.Failures) host.WriteWarning($"{file.Path}: start-up from {r.Way}: {f}");
                host.WriteVerbose(r.ToString());
                results.Add(r);
            }
            host.WriteProgress(new OperationProgress(4, $"First inference on {device.Name}", "done", 100, completed: true));
            return results;
        }

        private static Dictionary<string, byte[]> Binaries(List<BuildOutcome> outcomes) =>
            outcomes.Where(o => o.Succeeded).ToDictionary(o => o.Job.Key, o => o.Binary!, StringComparer.Ordinal);

        private MaceEntryMeasurement? MeasureOne(DriverProcess driver, MaceProgramEntry entry, MaceDevice device, KernelSourceSet sources, MaceVersion version, string copy, string sha256, string stem, IOperationHost host, out double first)
        {
            first = 0;
            string program = ProgramKey.Parse(entry.Key).Program;
            string? refusal = BuildJob.Refusal(entry.Key, device, sources);
            if (refusal != null)
            {
                if (BuildJob.IsDeviceLimit(entry.Key, device, sources)) host.WriteWarning($"{entry.Key}: not measured on {device.Name}: {refusal}");
                else host.WriteError(new MaceException(ErrorIds.Unsupported, MaceErrorCategory.InvalidOperation, $"{entry.Key}: not measured: {refusal}", entry.Key));
                return null;
            }
            File.WriteAllText(stem + ".cl", sources.Assemble(program, version));
            var reply = driver.Send(new WorkerMessage("time").Set("device", device.Index).Set("name", device.Name).Set("source", stem + ".cl")
                .Set("file", copy).Set("sha256", sha256).Set("key", entry.Key).Set("options", ProgramKey.CompilerFlags(entry.Key)).Set("repeat", Repeat), host.CancellationToken);
            if (reply.Op != "result" || reply["stage"] == "hash")
            {
                // The driver's build log can run to thousands of lines: its first line in the error, the whole log under -Verbose.
                string? log = reply["log"];
                if (!string.IsNullOrEmpty(log)) host.WriteVerbose($"{entry.Key}: build log on {device.Name}:\n{log}");
                string? firstLine = log?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
                string why = reply.Op == "crashed" ? $"the driver crashed ({reply["signal"]})"
                    : reply["error"] ?? (firstLine != null ? $"build failed: {firstLine} (-Verbose shows the build log)" : reply.Op);
                host.WriteError(new MaceException(ErrorIds.BuildFailed, MaceErrorCategory.InvalidData, $"{entry.Key}: not measured on {device.Name}: {why}", entry.Key));
                return null;
            }
            first = reply.GetDouble("firstMs");
            var s = Samples(reply.Get("sourceMs"));
            var b = Samples(reply.Get("binaryMs"));
            return new MaceEntryMeasurement { Key = entry.Key, FromSourceSamples = s, FromBinarySamples = b, FromSourceMs = Statistics.Median(s), FromBinaryMs = Statistics.Median(b) };
        }

        private static double[] Samples(string list) => list.Split(',').Select(x => double.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }
}
