using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using MaceTools.Config;
using MaceTools.Conversion;
using MaceTools.Devices;
using MaceTools.OpenCL;
using MaceTools.Runtime;

namespace MaceTools.Operations
{
    /// <summary>One inference kernel's device time in a model run.</summary>
    public sealed class MaceKernelTime
    {
        public string Node { get; internal set; } = "";
        public string Op { get; internal set; } = "";
        public string Kernel { get; internal set; } = "";
        /// <summary>Mean device time over the rounds (OpenCL profiling events), in microseconds.</summary>
        public double Microseconds { get; internal set; }

        public override string ToString() => FormattableString.Invariant($"{Node} {Kernel}: {Microseconds:0.0} µs");
    }

    /// <summary>One sample run through a model on a device (Invoke-MaceModel's object): its outputs and timings.</summary>
    public sealed class MaceModelRun
    {
        public string Model { get; internal set; } = "";
        public string Device { get; internal set; } = "";
        public int Sample { get; internal set; }
        /// <summary>Where the inputs came from: file paths, the deployment file's validation_inputs_data, or "random (seed N)".</summary>
        public string InputSource { get; internal set; } = "";
        /// <summary>The outputs in ONNX order (NCHW for 4-D tensors).</summary>
        public MaceTensor[] Outputs { get; internal set; } = Array.Empty<MaceTensor>();
        /// <summary>Files written with -OutputPath (raw little-endian float32, as MACE's run writes them).</summary>
        public string[] Files { get; internal set; } = Array.Empty<string>();
        /// <summary>MACE's init in the worker: weight uploads and transforms (once per run request).</summary>
        public double InitMs { get; internal set; }
        /// <summary>Wall time of each timed inference.</summary>
        public double[] WallMs { get; internal set; } = Array.Empty<double>();
        /// <summary>Sum of the kernels' device times of each timed inference.</summary>
        public double[] KernelMs { get; internal set; } = Array.Empty<double>();
        /// <summary>Sum of the CPU-placed nodes' host times of each timed inference (zeros for a GPU-only model).</summary>
        public double[] CpuMs { get; internal set; } = Array.Empty<double>();
        /// <summary>Mean share of wall time spent neither in kernels nor in CPU-placed nodes (enqueue, waits, the runner's host work).</summary>
        public double HostOverhead { get; internal set; }
        public MaceKernelTime[] Kernels { get; internal set; } = Array.Empty<MaceKernelTime>();
        /// <summary>Local sizes from a tuned-parameter file, or MACE's default formula.</summary>
        public string LocalSizes { get; internal set; } = "";
        /// <summary>Where the programs came from: "source", or the program file (-ProgramFile) and how many of its binaries ran.</summary>
        public string Programs { get; internal set; } = "";

        public override string ToString() => FormattableString.Invariant($"{Model} on {Device}, sample {Sample}: {string.Join(", ", Outputs.Select(o => o.ToString()))}, {WallMs.DefaultIfEmpty().Average():0.0} ms");
    }

    /// <summary>What Invoke-MaceModel and Test-MaceModel share: the deployment file, devices, inputs and local sizes.</summary>
    public abstract class ModelOperation
    {
        /// <summary>The deployment file (mace.yml); its GPU models are run.</summary>
        public string Config { get; set; } = "";
        /// <summary>Only the models whose name matches one of these wildcard patterns (default: every GPU model); a pattern that matches none is an error.</summary>
        public IList<string>? Model { get; set; }
        /// <summary>
        /// The devices (default: the local device MACE would pick): local OpenCL devices, or devices of Linux hosts over ssh
        /// (run there by the MaceTools agent). adb devices are refused: Android runs no agent.
        /// </summary>
        public IList<MaceDevice> Devices { get; set; } = new List<MaceDevice>();
        /// <summary>A devices.yml whose entries named by <see cref="Targets"/> are run on, as if their devices were in <see cref="Devices"/>.</summary>
        public string? Inventory { get; set; }
        /// <summary>Inventory entries to run on (wildcards), of <see cref="Inventory"/> or the default inventory.</summary>
        public IReadOnlyList<string> Targets { get; set; } = Array.Empty<string>();
        public Func<IOperationHost, Remote.RemoteDevices> RemoteFactory { get; set; } = h => new Remote.RemoteDevices(h);
        /// <summary>A tuned-parameter file: its local sizes instead of MACE's default formula.</summary>
        public string? TunedParameter { get; set; }
        /// <summary>
        /// A program file (mace_cl_compiled_program.bin, e.g. New-MaceProgram -Config's): the model runs with its programs,
        /// created from their binaries as MACE's runtime starts from its cache, instead of built from source. It must be
        /// made for the device and hold every program the model needs (else ProgramNotInFile or IdentityMismatch).
        /// </summary>
        public string? ProgramFile { get; set; }
        /// <summary>Input files, one per model input in input_tensors order: raw little-endian float32 or .npy.</summary>
        public IList<string> Input { get; set; } = new List<string>();
        /// <summary>Without <see cref="Input"/>: how many seeded random samples (in the file's input_ranges).</summary>
        public int Count { get; set; } = 1;
        public int Seed { get; set; } = 1;
        public string? ModelCache { get; set; }
        public MaceVersion Version { get; set; } = MaceVersion.Latest;
        public WorkerCommand? Worker { get; set; }

        protected abstract string Activity { get; }

        public void Run(IOperationHost host)
        {
            string cwd = host.CurrentDirectory;
            var config = MaceConfigReader.Read(PathResolver.FullPath(Config, cwd)).RequireModels(Model);
            var tuned = TunedParameter == null ? null : Compilation.Warmup.ReadTuned(PathResolver.FullPath(TunedParameter, cwd));
            var programs = ProgramFile == null ? null : MaceProgram.Load(PathResolver.FullPath(ProgramFile, cwd));
            var devices = Devices.ToList();
            if (Inventory != null || Targets.Count > 0)
            {
                devices.AddRange(RemoteFactory(host).DiscoverTargets(Remote.MaceInventory.Locate(Inventory, cwd), Targets, Array.Empty<string>()));
                if (devices.Count == 0) return; // every target failed; each is an error already
            }
            if (devices.Count == 0) devices.Add(LocalDevices.Select(null));
            var graphs = config.Models.Where(m => m.Runtime == "gpu").SelectMany(m => m.Subgraphs).ToList();
            using var fetcher = ConfigConversion.Fetcher(ModelCache, host);
            foreach (var device in devices)
            {
                host.CancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var sets = ConfigConversion.Convert(config, device, Version, fetcher, host);
                    if (programs != null) foreach (var set in sets) ModelRunner.CheckPrograms(programs, set, device); // before any run: a clear error, not a half-done one
                    using var runner = Runner(device, host);
                    for (int i = 0; i < sets.Count; i++)
                    {
                        host.WriteProgress(new OperationProgress(6, $"{Activity} {sets[i].Model} on {device.Name}", $"{Math.Max(Count, 1)} sample(s)", 100 * i / sets.Count));
                        var (samples, source) = Samples(sets[i], i < graphs.Count ? graphs[i] : null, config, cwd, host);
                        var options = new ModelRunOptions { Tuned = tuned, ProgramFile = programs };
                        Process(host, device, runner, sets[i], i < graphs.Count ? graphs[i] : null, samples, source, options);
                    }
                    host.WriteProgress(new OperationProgress(6, $"{Activity} on {device.Name}", "done", 100, completed: true));
                }
                catch (MaceException e) when (devices.Count > 1)
                {
                    host.WriteError(e); // one device's failure; the others still run
                }
            }
        }

        /// <summary>The runner for a device: a local driver worker, or the MaceTools agent on its ssh host.</summary>
        private ModelRunner Runner(MaceDevice device, IOperationHost host)
        {
            if (device.Transport == "local") return new ModelRunner(device, Worker ?? WorkerCommand.Locate());
            if (device.Transport == Remote.RemoteTransport.Ssh) return new ModelRunner(device, new Remote.AgentModelWorker(device, RemoteFactory(host), host));
            throw new MaceException(ErrorIds.Unsupported, MaceErrorCategory.InvalidOperation,
                $"{device.Target} ({device.Address}): a model runs on a local OpenCL device or on a Linux host over ssh (through the MaceTools agent); " +
                $"a {device.Transport} device has no agent (Android runs no .NET), so running there waits until a phone is at hand to build it against", device.Target);
        }

        protected abstract void Process(IOperationHost host, MaceDevice device, ModelRunner runner, KernelSet set, MaceSubgraphConfig? graph,
            List<IReadOnlyList<MaceTensor>> samples, string source, ModelRunOptions options);

        /// <summary>The samples: -Input files, else the file's validation_inputs_data, else seeded random values in input_ranges.</summary>
        private (List<IReadOnlyList<MaceTensor>> Samples, string Source) Samples(KernelSet set, MaceSubgraphConfig? graph, MaceConfig config, string cwd, IOperationHost host)
        {
            var files = Input.Select(p => PathResolver.FullPath(p, cwd)).ToList();
            string how = "-Input";
            if (files.Count == 0 && graph != null && graph.ValidationInputsData.Length > 0 && graph.ValidationInputsData.All(p => !ModelFetcher.IsUrl(p)))
            {
                string dir = Path.GetDirectoryName(config.Path) ?? cwd;
                files = graph.ValidationInputsData.Select(p => PathResolver.FullPath(p, dir)).ToList();
                how = "validation_inputs_data";
            }
            if (files.Count > 0)
            {
                if (files.Count != set.Inputs.Count)
                    throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument,
                        $"{set.Model}: {files.Count} input file(s) ({how}) for {set.Inputs.Count} input(s): {string.Join(", ", set.Inputs)}", set.Model);
                var sample = set.Inputs.Select((t, i) => ModelData.Read(files[i], t)).ToList();
                return (new List<IReadOnlyList<MaceTensor>> { sample }, string.Join(", ", files));
            }
            var list = new List<IReadOnlyList<MaceTensor>>();
            for (int s = 0; s < Math.Max(1, Count); s++)
                list.Add(ModelData.RandomSample(set.Inputs, graph?.InputRanges, Seed + s * 1000));
            host.WriteVerbose($"{set.Model}: {list.Count} random sample(s), seed {Seed}, ranges {(graph == null || graph.InputRanges.Length == 0 ? "[-1, 1] (MACE's default)" : string.Join("; ", graph.InputRanges.Select(r => string.Join(",", r))))}");
            return (list, $"random (seed {Seed})");
        }
    }

    /// <summary>Invoke-MaceModel / macetools model run: runs a deployment file's model on devices and returns its outputs.</summary>
    public sealed class InvokeModelOperation : ModelOperation
    {
        /// <summary>Timed inferences per sample (after one untimed warm-up inference).</summary>
        public int Round { get; set; } = 1;
        /// <summary>A folder for the outputs as raw little-endian float32 files (&lt;model&gt;_&lt;output&gt;[_sample].raw).</summary>
        public string? OutputPath { get; set; }

        protected override string Activity => "Running";

        protected override void Process(IOperationHost host, MaceDevice device, ModelRunner runner, KernelSet set, MaceSubgraphConfig? graph,
            List<IReadOnlyList<MaceTensor>> samples, string source, ModelRunOptions options)
        {
            options.Rounds = Math.Max(1, Round);
            options.Warmup = 1; // the first launches compile on drivers such as pocl: not what an inference costs
            var result = runner.Run(set, samples, options, host.CancellationToken);
            string? dir = OutputPath == null ? null : PathResolver.FullPath(OutputPath, host.CurrentDirectory);
            for (int s = 0; s < samples.Count; s++)
            {
                var rounds = result.Rounds.Where(r => r.Sample == s).ToList();
                var files = new List<string>();
                if (dir != null)
                    foreach (var o in result.Outputs[s])
                    {
                        string file = Path.Combine(dir, Safe(set.Model) + "_" + Safe(o.Name) + (samples.Count > 1 ? "_" + s : "") + ".raw");
                        if (!host.ShouldProcess(file, "Write model output")) continue;
                        Directory.CreateDirectory(dir);
                        ModelData.WriteRaw(file, o.Data);
                        files.Add(file);
                    }
                host.WriteObject(new MaceModelRun
                {
                    Model = set.Model, Device = device.Name, Sample = s, InputSource = source, Outputs = result.Outputs[s], Files = files.ToArray(),
                    InitMs = result.InitMs, WallMs = rounds.Select(r => r.WallMs).ToArray(), KernelMs = rounds.Select(r => r.KernelMs).ToArray(),
                    CpuMs = rounds.Select(r => r.CpuMs).ToArray(), HostOverhead = rounds.Average(r => r.HostOverhead),
                    Kernels = result.Kernels.Select((k, i) => new MaceKernelTime { Node = k.Node, Op = k.Op, Kernel = k.Kernel, Microseconds = rounds.Average(r => r.KernelUs[i]) }).ToArray(),
                    LocalSizes = options.Tuned == null ? "MACE's default" : "tuned (" + TunedParameter + ")",
                    Programs = options.ProgramFile == null ? "source" : $"{options.ProgramFile.Path} ({result.ProgramsFromFile} programs)",
                });
            }
        }

        private static string Safe(string name) => Regex.Replace(name, "[^A-Za-z0-9._-]", "_");
    }

    /// <summary>
    /// Test-MaceModel / macetools model validate: runs a deployment file's model on devices and compares every output with
    /// ONNX Runtime's CPU provider on the same inputs (MACE's validate.py), naming the first divergent node on a failure.
    /// </summary>
    public sealed class TestModelOperation : ModelOperation
    {
        public TestModelOperation() { Count = 10; }

        /// <summary>The cosine-similarity threshold; default: the file's validation_threshold for GPU, else MACE's 0.995.</summary>
        public double? Threshold { get; set; }

        protected override string Activity => "Validating";

        protected override void Process(IOperationHost host, MaceDevice device, ModelRunner runner, KernelSet set, MaceSubgraphConfig? graph,
            List<IReadOnlyList<MaceTensor>> samples, string source, ModelRunOptions options)
        {
            double threshold = Threshold ?? ValidationMetrics.Threshold(graph?.ValidationThreshold ?? new Dictionary<string, double>(), "GPU");
            options.Warmup = 1; // the first launches compile on drivers such as pocl: not what an inference costs
            foreach (var r in ModelValidator.Validate(set, runner, samples, options, threshold, host.CancellationToken))
            {
                if (!r.Passed) host.WriteVerbose($"{r.Model}/{r.Output} on {r.Device}: {(r.DivergentNode == null ? "no intermediate tensor below the threshold" : "first divergent node " + r.DivergentNode)}");
                host.WriteObject(r);
            }
        }
    }
}
