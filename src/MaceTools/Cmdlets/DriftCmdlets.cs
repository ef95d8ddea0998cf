using System;
using System.Collections.Generic;
using System.Management.Automation;
using MaceTools.Operations;
using MaceTools.Remote;

namespace MaceTools.Commands
{
    /// <summary>
    /// Compare-MaceProgram: after the app ran, reads MACE's own cache file from each device of an inventory and says whether MACE
    /// kept the programs of our file or rebuilt them. Files piped in are collected first, so each device is read once.
    /// </summary>
    [Cmdlet(VerbsData.Compare, "MaceProgram", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(MaceDriftResult))]
    public sealed class CompareMaceProgramCommand : MaceFileCmdlet
    {
        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Inventory { get; set; } = "";

        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Target { get; set; } = Array.Empty<string>();

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[] Tag { get; set; } = Array.Empty<string>();

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? RemotePath { get; set; }

        private readonly List<string> _files = new List<string>();

        protected override void ProcessRecord() => _files.AddRange(ResolvePaths());

        protected override void EndProcessing() => Run(new CompareProgramOperation
        {
            Paths = _files,
            LiteralPaths = true,
            Inventory = ProviderPath(Inventory),
            Targets = Target,
            Tags = Tag,
            RemotePath = RemotePath,
        }.Run);
    }
}
