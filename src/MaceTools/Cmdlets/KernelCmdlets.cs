using System.Management.Automation;
using MaceTools.Kernels;
using MaceTools.Operations;

namespace MaceTools.Commands
{
    /// <summary>Get-MaceKernel: the kernels of an OpenCL kernel library, with their op, build options, MACE symbol and hashes.</summary>
    [Cmdlet(VerbsCommon.Get, "MaceKernel", DefaultParameterSetName = LibrarySet)]
    [OutputType(typeof(MaceKernelDefinition), ParameterSetName = new[] { LibrarySet })]
    [OutputType(typeof(Conversion.MaceKernel), ParameterSetName = new[] { ConfigSet })]
    public sealed class GetMaceKernelCommand : MaceCmdlet
    {
        private const string LibrarySet = "Library";
        private const string ConfigSet = "Config";

        [Parameter(Position = 0)]
        [SupportsWildcards]
        public string? Name { get; set; }

        [Parameter]
        [SupportsWildcards]
        public string? Program { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = ConfigSet)]
        [ValidateNotNullOrEmpty]
        public string Config { get; set; } = "";

        [Parameter(ValueFromPipeline = true, ParameterSetName = ConfigSet)]
        [MaceDeviceTransformation]
        [ArgumentCompleter(typeof(MaceDeviceCompleter))]
        public Devices.MaceDevice[] Device { get; set; } = System.Array.Empty<Devices.MaceDevice>();

        [Parameter(ParameterSetName = ConfigSet)]
        public string? ModelCache { get; set; }

        private readonly System.Collections.Generic.List<Devices.MaceDevice> _devices = new System.Collections.Generic.List<Devices.MaceDevice>();

        protected override void ProcessRecord() => _devices.AddRange(Device);

        [Parameter(ParameterSetName = LibrarySet)]
        public string? KernelSource { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(MaceVersionCompleter))]
        public string? MaceVersion { get; set; }

        // The version is parsed inside Run, so a bad one is a MaceTools error record, not an engine exception.
        protected override void EndProcessing() => Run(host => new GetKernelOperation
        {
            Name = Name,
            Program = Program,
            KernelSource = KernelSource == null ? null : ProviderPath(KernelSource),
            Version = MaceVersion == null ? MaceTools.MaceVersion.Latest : MaceTools.MaceVersion.Parse(MaceVersion),
            Config = ParameterSetName == ConfigSet ? ProviderPath(Config) : null,
            Devices = _devices,
            ModelCache = ModelCache == null ? null : ProviderPath(ModelCache),
        }.Run(host));
    }
}
