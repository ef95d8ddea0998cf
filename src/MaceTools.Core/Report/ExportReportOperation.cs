using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using MaceTools.Formats;
using MaceTools.Operations;
using MaceTools.Remote;

namespace MaceTools.Report
{
    /// <summary>What Export-MaceReport / macetools report wrote.</summary>
    public sealed class MaceReport
    {
        public string Path { get; internal set; } = "";
        public long Size { get; internal set; }
        /// <summary>Results read, of every kind.</summary>
        public int Results { get; internal set; }
        /// <summary>The ids of the charts in the page, in order (chart-startup-1, chart-tuning-1 …).</summary>
        public string[] Charts { get; internal set; } = Array.Empty<string>();
        /// <summary>Result kinds the report does not show, with their counts ("MaceProgram × 2").</summary>
        public string[] NotShown { get; internal set; } = Array.Empty<string>();

        public override string ToString() => $"{Path} ({Size} bytes, {Charts.Length} charts)";
    }

    /// <summary>
    /// Export-MaceReport / macetools report: gathers results (objects from the pipeline, or the JSON lines the CLI's --json
    /// wrote) and writes one self-contained HTML page with charts and tables (<see cref="HtmlReport"/>).
    /// </summary>
    public sealed class ExportReportOperation
    {
        private readonly ReportData _data = new ReportData();

        public string Destination { get; set; } = "";
        public string Title { get; set; } = "MaceTools report";
        public bool NoClobber { get; set; }

        /// <summary>One result object, as a cmdlet or operation emitted it.</summary>
        public void Add(object item) => ReportAdapters.Add(_data, ResultFields.FromObject(item));

        /// <summary>
        /// Reads a file of JSON lines: every result line (with its "$type") and every error line; other lines (warnings,
        /// messages) are passed over. A line that is not a JSON object is an error naming file and line, and the rest is read.
        /// </summary>
        public void AddJsonLines(IOperationHost host, string path)
        {
            string full = PathResolver.FullPath(path, host.CurrentDirectory);
            string text = InputGate.ReadText(full, InputKind.ResultLines);
            int number = 0, passed = 0;
            foreach (string raw in text.Split('\n'))
            {
                number++;
                string line = raw.Trim();
                if (line.Length == 0) continue;
                Dictionary<string, object?> json;
                try { json = JsonLine.ParseObject(line); }
                catch (FormatException e)
                {
                    host.WriteError(new MaceException(ErrorIds.ResultLineInvalid, MaceErrorCategory.InvalidData, $"{path}:{number}: not a JSON object: {e.Message}", path));
                    continue;
                }
                var result = ResultFields.FromJson(json);
                if (result == null) passed++;
                else ReportAdapters.Add(_data, result);
            }
            if (passed > 0) host.WriteVerbose($"{path}: {passed} lines that are neither a result nor an error (warnings, messages) passed over");
        }

        /// <summary>The data gathered so far (tests and a future result type's adapter add rows here).</summary>
        public ReportData Data => _data;

        public void Run(IOperationHost host)
        {
            if (Destination.Length == 0) throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, "no report path given (-Path / --out)");
            string dest = PathResolver.FullPath(Destination, host.CurrentDirectory);
            if (Directory.Exists(dest)) throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, $"{Destination}: is a directory; give the report's file name", Destination);
            if (_data.Results == 0) host.WriteWarning("no results were given: the report says so and shows nothing else");
            string html = HtmlReport.Render(_data, Title);
            byte[] bytes = new UTF8Encoding(false).GetBytes(html);
            if (!host.ShouldProcess(dest, $"Write a report of {_data.Results} results ({bytes.Length} bytes)")) return;
            FileIO.WriteAtomic(dest, s => s.Write(bytes, 0, bytes.Length), !NoClobber, host.CancellationToken);
            host.WriteObject(new MaceReport
            {
                Path = dest,
                Size = bytes.Length,
                Results = _data.Results,
                Charts = HtmlReport.ChartIds(html).ToArray(),
                NotShown = _data.NotShown.Select(kv => $"{kv.Key} × {kv.Value}").ToArray(),
            });
        }
    }
}
