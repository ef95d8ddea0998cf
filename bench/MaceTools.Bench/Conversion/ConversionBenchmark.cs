using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using MaceTools.Formats;
using MaceTools.Kernels;
using MaceTools.Models.Onnx;

namespace MaceTools.Conversion
{
    /// <summary>One row of <c>bench convert</c>: reading and converting one model.</summary>
    public sealed class ConversionBenchRow
    {
        public string Model { get; internal set; } = "";
        public long ModelBytes { get; internal set; }
        public int Nodes { get; internal set; }
        /// <summary>Launches and programs of the kernel set, or the error's first words when the model cannot be converted.</summary>
        public string Result { get; internal set; } = "";
        /// <summary>Median of the runs: read the ONNX file and convert it.</summary>
        public double Milliseconds { get; internal set; }
        /// <summary>Rise of the process's peak resident memory over one read and convert (Linux; 0 elsewhere).</summary>
        public long PeakMemoryBytes { get; internal set; }
    }

    /// <summary>Conversion time and peak memory for the models of deployment files (the examples/paddleocr classifier and detector).</summary>
    public static class ConversionBenchmark
    {
        public static List<ConversionBenchRow> Run(IEnumerable<string> configFiles, int repeat, Action<string> log)
        {
            var rows = new List<ConversionBenchRow>();
            var target = new KernelTarget(MaceVersion.Latest, false, false);
            using var fetcher = new Config.ModelFetcher { Log = log };
            var models = configFiles.Select(Config.MaceConfigReader.Read).SelectMany(c => c.Models)
                .Select(m => (Path: fetcher.Fetch(m).ModelFile, Inputs: ConfigConversion.Inputs(m.Subgraphs[0]))).ToList();
            foreach (var (path, inputs) in models)
            {
                log(path);
                var row = new ConversionBenchRow { Model = Path.GetFileName(path), ModelBytes = new FileInfo(path).Length };
                string Convert()
                {
                    var model = OnnxModel.Load(path);
                    row.Nodes = model.Graph.Nodes.Count;
                    try
                    {
                        var set = OnnxConverter.Convert(model, path, inputs, null, new ConversionOptions(target));
                        return $"{set.Kernels.Count} launches, {set.ProgramKeys.Count} programs";
                    }
                    catch (MaceException e) when (e.ErrorId == ErrorIds.Unsupported)
                    {
                        return "unsupported: " + e.Message.Substring(e.Message.IndexOf(':') + 2);
                    }
                }
                Convert(); // warm-up: JIT and file cache
                GC.Collect();
                bool procfs = PeakMemory.Reset();
                long before = procfs ? PeakMemory.Read("VmHWM:") : 0;
                row.Result = Convert();
                row.PeakMemoryBytes = procfs ? PeakMemory.Read("VmHWM:") - before : 0;
                var times = new List<double>();
                for (int i = 0; i < repeat; i++)
                {
                    var sw = Stopwatch.StartNew();
                    Convert();
                    times.Add(sw.Elapsed.TotalMilliseconds);
                }
                row.Milliseconds = Statistics.Median(times);
                rows.Add(row);
            }
            return rows;
        }
    }
}
