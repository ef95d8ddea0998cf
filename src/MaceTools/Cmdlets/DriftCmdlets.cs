using System.Management.Automation;
using MaceTools.Operations;
using MaceTools.Remote;

namespace MaceTools.Commands
{
    /// <summary>
    /// Compare-MaceProgram: after the app ran, reads MACE's own cache file from each device of an inventory and says whether MACE
    /// kept the programs of our file or rebuilt them. Files piped in are collected first, so each device is read once.
    /// </summary>
    [Cmdlet(VerbsData.Compare, "MaceProgram", DefaultParameterSetName = LiteralPathSet)]
    [OutputType(typeof(MaceDriftResult))]
    public sealed class CompareMaceProgramCommand : InventoryFileCmdlet
    {
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? RemotePath { get; set; }

        protected override void EndProcessing() => Run(Bind(new CompareProgramOperation
        {
            RemotePath = RemotePath,
        }).Run);
    }
}
