using System.Management.Automation;
using MaceTools.Config;
using MaceTools.Operations;

namespace MaceTools.Commands
{
    /// <summary>Get-MaceConfig: reads MACE deployment files (mace.yml) of any schema generation, with MACE's defaults applied.</summary>
    [Cmdlet(VerbsCommon.Get, "MaceConfig", DefaultParameterSetName = LiteralPathSet)]
    [OutputType(typeof(MaceConfig))]
    public sealed class GetMaceConfigCommand : MaceFileCmdlet
    {
        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Model { get; set; }

        protected override void ProcessRecord() => Run(WithPaths(new GetConfigOperation { Model = Model }).Run);
    }

    /// <summary>Test-MaceConfig: every error and warning of MACE deployment files, with line, column and key.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "MaceConfig", DefaultParameterSetName = LiteralPathSet)]
    [OutputType(typeof(MaceConfigTestResult), typeof(bool))]
    public sealed class TestMaceConfigCommand : MaceFileCmdlet
    {
        [Parameter]
        public SwitchParameter Fetch { get; set; }

        [Parameter]
        public SwitchParameter Quiet { get; set; }

        protected override void ProcessRecord() => Run(WithPaths(new TestConfigOperation { Fetch = Fetch, Quiet = Quiet }).Run);
    }
}
