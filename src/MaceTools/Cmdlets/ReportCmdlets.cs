using System;
using System.Management.Automation;
using MaceTools.Report;

namespace MaceTools.Commands
{
    /// <summary>Export-MaceReport: one self-contained HTML page of the results piped in (start-up, tuning, tests, fleet, errors).</summary>
    [Cmdlet(VerbsData.Export, "MaceReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(MaceReport))]
    public sealed class ExportMaceReportCommand : MaceCmdlet
    {
        private readonly ExportReportOperation _report = new ExportReportOperation();

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        [Parameter(ValueFromPipeline = true)]
        [AllowNull]
        [AllowEmptyCollection]
        public object?[] InputObject { get; set; } = Array.Empty<object>();

        [Parameter]
        [ValidateNotNullOrEmpty]
        [PSDefaultValue(Value = "MaceTools report")]
        public string Title { get; set; } = "MaceTools report";

        [Parameter]
        public SwitchParameter NoClobber { get; set; }

        protected override void ProcessRecord()
        {
            foreach (var item in InputObject ?? Array.Empty<object>())
            {
                object? value = item is PSObject ps ? ps.BaseObject : item;
                // `... 2>&1 | Export-MaceReport`: a MaceTools error record becomes the error it carries.
                if (value is ErrorRecord record && record.Exception is MaceException error) value = error;
                if (value != null) _report.Add(value);
            }
        }

        protected override void EndProcessing()
        {
            _report.Destination = ProviderPath(Path);
            _report.Title = Title;
            _report.NoClobber = NoClobber;
            Run(_report.Run);
        }
    }
}
