using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MaceTools.Devices;
using MaceTools.Operations;
using MaceTools.Tuning;

namespace MaceTools.Bench.Runtime
{
    /// <summary>
    /// `bench model`: the model's end-to-end latency with MACE's default local sizes, with our tuner's file and with MACE's
    /// own search's file (both tuned here first unless given), and through ONNX Runtime's CPU provider, side by side in
    /// interleaved shuffled rounds (<see cref="MeasureModelOperation"/>): each gain over the default with its interval. The
    /// tuning summaries come first: each file's search cost and the tuner's own end-to-end re-timing.
    /// </summary>
    public static class ModelBenchmark
    {
        public static void Run(string config, MaceDevice device, IReadOnlyList<string> tuned, int rounds, string workDir, IOperationHost host)
        {
            string dir = Path.Combine(workDir, "macetools-bench-model-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(dir);
            try
            {
                var files = new List<string>(tuned);
                if (files.Count == 0)
                    foreach (var (strategy, name) in new[] { (TuningStrategy.Auto, "ours"), (TuningStrategy.Mace, "mace-search") })
                    {
                        string file = Path.Combine(dir, name + ".tuned_opencl_parameter.bin");
                        host.WriteVerbose($"tuning {config} on {device.Name} with --strategy {strategy.ToString().ToLowerInvariant()} -> {file}");
                        var quiet = new QuietHost(host.WriteVerbose, logErrors: true, cancel: host.CancellationToken, currentDirectory: host.CurrentDirectory);
                        new OptimizeProgramOperation { Config = config, Devices = new List<MaceDevice> { device }, Strategy = strategy, OutFile = file }.Run(quiet);
                        files.Add(file);
                        // What each file cost to make (launches, seconds, the in-context stage) and the tuner's own end-to-end figure.
                        foreach (var summary in quiet.Objects.OfType<MaceTuningSummary>()) host.WriteObject(summary);
                    }
                new MeasureModelOperation { Config = config, Devices = new List<MaceDevice> { device }, TunedParameters = files, Round = rounds }.Run(host);
            }
            finally
            {
                try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }
}
