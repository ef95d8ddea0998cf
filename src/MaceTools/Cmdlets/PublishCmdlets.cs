using System.Management.Automation;
using MaceTools.Operations;
using MaceTools.Remote;

namespace MaceTools.Commands
{
    /// <summary>
    /// Publish-MaceProgram: puts program and tuned-parameter files on the devices of an inventory, each device the file named
    /// for it, atomically and in parallel. Files piped in are collected first, so each device is visited once.
    /// </summary>
    [Cmdlet(VerbsData.Publish, "MaceProgram", DefaultParameterSetName = LiteralPathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(PublishResult))]
    [OutputType(typeof(MaceProgram))]
    public sealed class PublishMaceProgramCommand : InventoryFileCmdlet
    {
        [Parameter]
        [ValidateRange(1, 256)]
        public int ThrottleLimit { get; set; } = 8;

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing() => Run(Bind(new PublishProgramOperation
        {
            ThrottleLimit = ThrottleLimit,
            Force = Force,
            PassThru = PassThru,
        }).Run);
    }
}
