using System.Management.Automation;
using MaceTools.Operations;

namespace MaceTools.Commands
{
    /// <summary>Get-MaceProgram: reads MACE program-cache and tuned-parameter files of any generation.</summary>
    [Cmdlet(VerbsCommon.Get, "MaceProgram", DefaultParameterSetName = LiteralPathSet)]
    [OutputType(typeof(MaceProgram))]
    public sealed class GetMaceProgramCommand : MaceFileCmdlet
    {
        [Parameter]
        public MaceFileKind Kind { get; set; }

        protected override void ProcessRecord() =>
            Run(WithPaths(new GetProgramOperation { Kind = IfBound(Kind, nameof(Kind)) }).Run);
    }

    /// <summary>Get-MaceProgramEntry: one object per key of a MACE file.</summary>
    [Cmdlet(VerbsCommon.Get, "MaceProgramEntry", DefaultParameterSetName = LiteralPathSet)]
    [OutputType(typeof(MaceProgramEntry))]
    public sealed class GetMaceProgramEntryCommand : MaceFileCmdlet
    {
        [Parameter]
        [SupportsWildcards]
        public string? Key { get; set; }

        [Parameter]
        public MaceEntryKind[]? EntryKind { get; set; }

        protected override void ProcessRecord() =>
            Run(WithPaths(new GetProgramEntryOperation { KeyPattern = Key, EntryKinds = EntryKind }).Run);
    }

    /// <summary>Get-MaceTuningParameter: the tuned work-group sizes of a tuned-parameter file, keys made readable.</summary>
    [Cmdlet(VerbsCommon.Get, "MaceTuningParameter", DefaultParameterSetName = LiteralPathSet)]
    [OutputType(typeof(MaceTuningParameter))]
    public sealed class GetMaceTuningParameterCommand : MaceFileCmdlet
    {
        protected override void ProcessRecord() => Run(WithPaths(new GetTuningParameterOperation()).Run);
    }

    /// <summary>Test-MaceProgram: checks a file without a device and says what a MACE runtime would do with it.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "MaceProgram", DefaultParameterSetName = LiteralPathSet)]
    [OutputType(typeof(MaceTestResult), typeof(bool))]
    public sealed class TestMaceProgramCommand : MaceFileCmdlet
    {
        [Parameter]
        [ArgumentCompleter(typeof(MaceVersionCompleter))]
        public string? MaceVersion { get; set; }

        [Parameter]
        public string? PlatformInfo { get; set; }

        [Parameter]
        public string? DeviceName { get; set; }

        [Parameter]
        public CacheReusePolicy ReusePolicy { get; set; } = CacheReusePolicy.ReuseSameGpu;

        [Parameter]
        public SwitchParameter Quiet { get; set; }

        [Parameter]
        [MaceDeviceTransformation]
        [ArgumentCompleter(typeof(MaceDeviceCompleter))]
        public Devices.MaceDevice? Device { get; set; }

        [Parameter]
        public string? Config { get; set; }

        [Parameter]
        public string? ModelCache { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Inventory { get; set; }

        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(InventoryTargetCompleter))]
        public string? Target { get; set; }

        protected override void ProcessRecord() => Run(host => WithPaths(new TestProgramOperation
        {
            Target = MaceTarget.From(MaceVersion, PlatformInfo, DeviceName, ReusePolicy),
            Quiet = Quiet,
            Device = Device,
            Config = Config == null ? null : ProviderPath(Config),
            ModelCache = ModelCache == null ? null : ProviderPath(ModelCache),
            Inventory = Inventory == null ? null : ProviderPath(Inventory),
            Targets = Target == null ? System.Array.Empty<string>() : new[] { Target },
        }).Run(host));
    }
}
