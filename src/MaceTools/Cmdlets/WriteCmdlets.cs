using System.Collections.Generic;
using System.Management.Automation;
using MaceTools.Operations;

namespace MaceTools.Commands
{
    /// <summary>Convert-MaceProgram: rewrites a MACE file in another generation, or for another MACE version.</summary>
    [Cmdlet(VerbsData.Convert, "MaceProgram", DefaultParameterSetName = LiteralPathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(MaceProgram))]
    public sealed class ConvertMaceProgramCommand : MaceFileCmdlet
    {
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; } = "";

        [Parameter]
        public MaceFileFormat To { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(MaceVersionCompleter))]
        public string? MaceVersion { get; set; }

        [Parameter]
        public string? DeviceName { get; set; }

        [Parameter]
        public SwitchParameter KeepOrder { get; set; }

        [Parameter]
        public SwitchParameter NoClobber { get; set; }

        // One operation for the whole pipeline, so it can refuse to write two inputs to one destination.
        private ConvertProgramOperation? _operation;

        protected override void ProcessRecord() => Run(host =>
        {
            _operation ??= new ConvertProgramOperation
            {
                Destination = ProviderPath(Destination),
                To = IfBound(To, nameof(To)),
                MaceVersion = MaceVersion == null ? null : MaceTools.MaceVersion.ForRuntime(MaceVersion, IfBound(To, nameof(To)), checkGeneration: false),
                DeviceName = DeviceName,
                KeepOrder = KeepOrder,
                NoClobber = NoClobber,
            };
            WithPaths(_operation).Run(host);
        });
    }

    /// <summary>Merge-MaceProgram: merges program or tuned-parameter files into one, as MACE's merge does.</summary>
    [Cmdlet(VerbsData.Merge, "MaceProgram", DefaultParameterSetName = LiteralPathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(MaceProgram))]
    public sealed class MergeMaceProgramCommand : MaceFileCmdlet
    {
        private readonly List<string> _paths = new List<string>();

        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; } = "";

        [Parameter]
        public MaceFileFormat To { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter NoClobber { get; set; }

        protected override void ProcessRecord() => _paths.AddRange(ResolvePaths());

        protected override void EndProcessing()
        {
            Run(new MergeProgramOperation
            {
                Paths = _paths,
                LiteralPaths = true,
                Destination = ProviderPath(Destination),
                To = IfBound(To, nameof(To)),
                Force = Force,
                NoClobber = NoClobber,
            }.Run);
        }
    }

    /// <summary>Export-MaceProgram: writes the C++ source MACE links (LoadOpenCLBinary/OpenCLBinarySize ...) or a text view.</summary>
    [Cmdlet(VerbsData.Export, "MaceProgram", DefaultParameterSetName = LiteralPathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(string))]
    public sealed class ExportMaceProgramCommand : MaceFileCmdlet
    {
        [Parameter(Position = 1)]
        public string? Destination { get; set; }

        [Parameter]
        [PSDefaultValue(Value = ExportFormat.Cpp)]
        public ExportFormat Format { get; set; } = ExportFormat.Cpp;

        [Parameter]
        public string? LoadFunction { get; set; }

        [Parameter]
        public string? SizeFunction { get; set; }

        [Parameter]
        [ValidateRange(-1, int.MaxValue)]
        public int MaxBytes { get; set; } = 64;

        [Parameter]
        public SwitchParameter NoClobber { get; set; }

        protected override void ProcessRecord() => Run(WithPaths(new ExportProgramOperation
        {
            Destination = Destination == null ? null : ProviderPath(Destination),
            Format = Format,
            LoadFunction = LoadFunction,
            SizeFunction = SizeFunction,
            MaxBytes = MaxBytes,
            NoClobber = NoClobber,
        }).Run);
    }
}
