using System.Management.Automation;
using MaceTools.Kernels;
using MaceTools.Operations;

namespace MaceTools.Commands
{
    /// <summary>Get-MaceKernel: the kernels of an OpenCL kernel library, with their op, build options, MACE symbol and hashes.</summary>
    [Cmdlet(VerbsCommon.Get, "MaceKernel", DefaultParameterSetName = LibrarySet)]
    [OutputType(typeof(MaceKernelDefinition))]
    public sealed class GetMaceKernelCommand : MaceCmdlet
    {
        private const string LibrarySet = "Library";

        [Parameter(Position = 0, ParameterSetName = LibrarySet)]
        [SupportsWildcards]
        public string? Name { get; set; }

        [Parameter(ParameterSetName = LibrarySet)]
        [SupportsWildcards]
        public string? Program { get; set; }

        [Parameter(ParameterSetName = LibrarySet)]
        public string? KernelSource { get; set; }

        [Parameter(ParameterSetName = LibrarySet)]
        public string? MaceVersion { get; set; }

        // The version is parsed inside Run, so a bad one is a MaceTools error record, not an engine exception.
        protected override void EndProcessing() => Run(host => new GetKernelOperation
        {
            Name = Name,
            Program = Program,
            KernelSource = KernelSource == null ? null : ProviderPath(KernelSource),
            Version = MaceVersion == null ? MaceTools.MaceVersion.Latest : MaceTools.MaceVersion.Parse(MaceVersion),
        }.Run(host));
    }
}
