using System.Collections.Generic;
using System.Management.Automation;
using MaceTools.Operations;

namespace MaceTools.Commands
{
    /// <summary>Convert-MaceProgram: rewrites a MACE file in another generation, or for another MACE version.</summary>
    [Cmdlet(VerbsData.Convert, "MaceProgram", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(MaceProgram))]
    public sealed class ConvertMaceProgramCommand : MaceFileCmdlet
    {
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; } = "";

        [Parameter]
        public MaceFileFormat To { get; set; }

        [Parameter]
        public string? MaceVersion { get; set; }

        [Parameter]
        public string? DeviceName { get; set; }

        [Parameter]
        public SwitchParameter KeepOrder { get; set; }

        [Parameter]
        public SwitchParameter NoClobber { get; set; }

        protected override void ProcessRecord() => Run(WithPaths(new ConvertProgramOperation
        {
            Destination = Destination,
            To = MyInvocation.BoundParameters.ContainsKey(nameof(To)) ? To : (MaceFileFormat?)null,
            MaceVersion = MaceVersion == null ? null : MaceTools.MaceVersion.Parse(MaceVersion),
            DeviceName = DeviceName,
            KeepOrder = KeepOrder,
            NoClobber = NoClobber,
        }).Run);
    }

    /// <summary>Merge-MaceProgram: merges program or tuned-parameter files into one, as MACE's merge does.</summary>
    [Cmdlet(VerbsData.Merge, "MaceProgram", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
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

        protected override void ProcessRecord() => _paths.AddRange(ParameterSetName == LiteralPathSet ? LiteralPath : Path);

        protected override void EndProcessing()
        {
            Run(new MergeProgramOperation
            {
                Paths = _paths,
                LiteralPaths = ParameterSetName == LiteralPathSet,
                Destination = Destination,
                To = MyInvocation.BoundParameters.ContainsKey(nameof(To)) ? To : (MaceFileFormat?)null,
                Force = Force,
                NoClobber = NoClobber,
            }.Run);
            base.EndProcessing();
        }
    }

    /// <summary>Export-MaceProgram: writes the C++ source MACE links (LoadOpenCLBinary/OpenCLBinarySize ...) or a text view.</summary>
    [Cmdlet(VerbsData.Export, "MaceProgram", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(string))]
    public sealed class ExportMaceProgramCommand : MaceFileCmdlet
    {
        [Parameter(Position = 1)]
        public string? Destination { get; set; }

        [Parameter]
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
            Destination = Destination,
            Format = Format,
            LoadFunction = LoadFunction,
            SizeFunction = SizeFunction,
            MaxBytes = MaxBytes,
            NoClobber = NoClobber,
        }).Run);
    }
}
