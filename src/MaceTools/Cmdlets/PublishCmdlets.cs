using System;
using System.Collections.Generic;
using System.Management.Automation;
using MaceTools.Operations;
using MaceTools.Remote;

namespace MaceTools.Commands
{
    /// <summary>
    /// Publish-MaceProgram: puts program and tuned-parameter files on the devices of an inventory, each device the file named
    /// for it, atomically and in parallel. Files piped in are collected first, so each device is visited once.
    /// </summary>
    [Cmdlet(VerbsData.Publish, "MaceProgram", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(PublishResult))]
    [OutputType(typeof(MaceProgram))]
    public sealed class PublishMaceProgramCommand : MaceFileCmdlet
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
        [ValidateRange(1, 256)]
        public int ThrottleLimit { get; set; } = 8;

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        private readonly List<string> _files = new List<string>();

        protected override void ProcessRecord() => _files.AddRange(ResolvePaths());

        protected override void EndProcessing() => Run(new PublishProgramOperation
        {
            Paths = _files,
            LiteralPaths = true,
            Inventory = ProviderPath(Inventory),
            Targets = Target,
            Tags = Tag,
            ThrottleLimit = ThrottleLimit,
            Force = Force,
            PassThru = PassThru,
        }.Run);
    }
}
