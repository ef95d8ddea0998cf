using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MaceTools.Devices;
using MaceTools.Operations;

namespace MaceTools.Commands
{
    /// <summary>Lets -Device take an id or a name substring as well as a MaceDevice object: "-Device 0", "-Device pthread".</summary>
    public sealed class MaceDeviceTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject ps ? ps.BaseObject : inputData;
            if (value is MaceDevice || value is MaceDevice[] || value == null) return value!;
            if (value is string || value is int || value is long)
                return LocalDevices.Select(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
            if (value is object[] items)
                return items.Select(i => (MaceDevice)Transform(engineIntrinsics, i)).ToArray();
            return value;
        }
    }

    /// <summary>
    /// Get-MaceDevice: the OpenCL devices of this machine with the identity MACE computes for each; with -Inventory, the
    /// devices of a devices.yml's entries (Linux hosts over ssh, Android phones over adb).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "MaceDevice", DefaultParameterSetName = LocalSet)]
    [OutputType(typeof(MaceDevice))]
    public sealed class GetMaceDeviceCommand : MaceCmdlet
    {
        private const string LocalSet = "Local";
        private const string InventorySet = "Inventory";

        [Parameter(Position = 0)]
        [SupportsWildcards]
        public string? Name { get; set; }

        [Parameter(ParameterSetName = LocalSet)]
        public SwitchParameter MaceDefault { get; set; }

        // Not mandatory: -Target or -Tag alone select entries of the default inventory ($env:MACETOOLS_INVENTORY, ./devices.yml).
        [Parameter(ParameterSetName = InventorySet)]
        [ValidateNotNullOrEmpty]
        [PSDefaultValue(Value = "$env:MACETOOLS_INVENTORY, else ./devices.yml")]
        public string? Inventory { get; set; }

        [Parameter(ParameterSetName = InventorySet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(InventoryTargetCompleter))]
        public string[] Target { get; set; } = Array.Empty<string>();

        [Parameter(ParameterSetName = InventorySet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(InventoryTagCompleter))]
        public string[] Tag { get; set; } = Array.Empty<string>();

        protected override void EndProcessing() => Run(new GetDeviceOperation
        {
            Name = Name,
            MaceDefault = MaceDefault,
            Inventory = Inventory == null ? null : ProviderPath(Inventory),
            Targets = Target,
            Tags = Tag,
        }.Run);
    }

    /// <summary>
    /// New-MaceProgram: compiles MACE programs for the devices piped in and writes one program file per device class.
    /// Devices are collected first, so each class is compiled once and all builds run in parallel.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "MaceProgram", DefaultParameterSetName = FromSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(MaceProgram))]
    public sealed class NewMaceProgramCommand : MaceCmdlet
    {
        private const string FromSet = "From";
        private const string KernelSet = "Kernel";
        private const string ConfigSet = "Config";

        [Parameter(ValueFromPipeline = true)]
        [MaceDeviceTransformation]
        [ArgumentCompleter(typeof(MaceDeviceCompleter))]
        public MaceDevice[] Device { get; set; } = Array.Empty<MaceDevice>();

        [Parameter(Mandatory = true, ParameterSetName = FromSet)]
        [ValidateNotNullOrEmpty]
        public string From { get; set; } = "";

        [Parameter(Mandatory = true, ParameterSetName = KernelSet)]
        [ValidateNotNullOrEmpty]
        public string[] Kernel { get; set; } = Array.Empty<string>();

        [Parameter(Mandatory = true, ParameterSetName = ConfigSet)]
        [ValidateNotNullOrEmpty]
        public string Config { get; set; } = "";

        [Parameter(ParameterSetName = ConfigSet)]
        public string? ModelCache { get; set; }

        [Parameter]
        public string? KernelSource { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(MaceVersionCompleter))]
        public string? MaceVersion { get; set; }

        [Parameter]
        public string? OutFile { get; set; }

        [Parameter]
        public string? Destination { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Library { get; set; } = "mace";

        [Parameter]
        [ValidateRange(1, 256)]
        [PSDefaultValue(Value = "the number of processors")]
        public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter NoClobber { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Inventory { get; set; }

        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(InventoryTargetCompleter))]
        public string[] Target { get; set; } = Array.Empty<string>();

        [Parameter]
        [ValidateSet("G1", "G2")]
        public MaceFileFormat Generation { get; set; }

        [Parameter(ParameterSetName = ConfigSet)]
        public SwitchParameter NoWarmup { get; set; }

        [Parameter(ParameterSetName = ConfigSet)]
        [ValidateNotNullOrEmpty]
        public string? TunedParameter { get; set; }

        private readonly List<MaceDevice> _devices = new List<MaceDevice>();

        protected override void ProcessRecord() => _devices.AddRange(Device);

        // The version is parsed inside Run, so a bad one is a MaceTools error record, not an engine exception.
        protected override void EndProcessing() => Run(host => new NewProgramOperation
        {
            Devices = _devices,
            From = ParameterSetName == FromSet ? ProviderPath(From) : null,
            Kernels = Kernel,
            Config = ParameterSetName == ConfigSet ? ProviderPath(Config) : null,
            ModelCache = ModelCache == null ? null : ProviderPath(ModelCache),
            KernelSource = KernelSource == null ? null : ProviderPath(KernelSource),
            Version = MaceVersion == null ? null : MaceTools.MaceVersion.ForRuntime(MaceVersion),
            Generation = MyInvocation.BoundParameters.ContainsKey(nameof(Generation)) ? Generation : (MaceFileFormat?)null,
            NoWarmup = NoWarmup,
            TunedParameter = TunedParameter == null ? null : ProviderPath(TunedParameter),
            OutFile = OutFile == null ? null : ProviderPath(OutFile),
            Destination = Destination == null ? null : ProviderPath(Destination),
            Library = Library,
            Parallelism = ThrottleLimit,
            Force = Force,
            NoClobber = NoClobber,
            Inventory = Inventory == null ? null : ProviderPath(Inventory),
            Targets = Target,
        }.Run(host));
    }

    /// <summary>Measure-MaceProgram: start-up time with and without a program file on a device.</summary>
    [Cmdlet(VerbsDiagnostic.Measure, "MaceProgram", DefaultParameterSetName = LiteralPathSet)]
    [OutputType(typeof(MaceMeasurement))]
    public sealed class MeasureMaceProgramCommand : MaceFileCmdlet
    {
        [Parameter]
        [MaceDeviceTransformation]
        [ArgumentCompleter(typeof(MaceDeviceCompleter))]
        public MaceDevice? Device { get; set; }

        [Parameter]
        public string? KernelSource { get; set; }

        [Parameter]
        [ValidateRange(1, 1000)]
        public int Repeat { get; set; } = 5;

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Config { get; set; }

        [Parameter]
        public string? ModelCache { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? TunedParameter { get; set; }

        protected override void ProcessRecord() => Run(WithPaths(new MeasureProgramOperation
        {
            Device = Device,
            KernelSource = KernelSource == null ? null : ProviderPath(KernelSource),
            Repeat = Repeat,
            Config = Config == null ? null : ProviderPath(Config),
            ModelCache = ModelCache == null ? null : ProviderPath(ModelCache),
            TunedParameter = TunedParameter == null ? null : ProviderPath(TunedParameter),
        }).Run);
    }
}
