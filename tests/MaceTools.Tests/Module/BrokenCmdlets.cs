using System.Management.Automation;

namespace MaceTools.Tests.Module.Broken
{
    // Deliberately wrong cmdlet classes: each proves that a static rule catches the defect it is about.
    // They live in the test assembly, so the module's discovery never sees them.

    [Cmdlet(VerbsCommon.Get, "MaceWidgets")]
    [OutputType(typeof(string))]
    public sealed class PluralNounCommand : PSCmdlet { }

    [Cmdlet("Frobnicate", "MaceWidget")]
    [OutputType(typeof(string))]
    public sealed class UnapprovedVerbCommand : PSCmdlet { }

    [Cmdlet(VerbsCommon.Get, "Widget")]
    [OutputType(typeof(string))]
    public sealed class NoPrefixCommand : PSCmdlet { }

    [Cmdlet(VerbsCommon.Remove, "MaceWidget")]
    [OutputType(typeof(string))]
    public sealed class RemoveWithoutShouldProcessCommand : PSCmdlet { }

    [Cmdlet(VerbsData.Merge, "MaceWidget")]
    public sealed class MergeWithoutShouldProcessOrOutputTypeCommand : PSCmdlet { }

    [Cmdlet(VerbsCommon.Set, "MaceWidget", SupportsShouldProcess = true)]
    [OutputType(typeof(string))]
    public sealed class CommonParameterCollisionCommand : PSCmdlet
    {
        [Parameter]
        public string? Verbose { get; set; }

        [Parameter]
        [Alias("ea")]
        public string? Mode { get; set; }

        [Parameter]
        public SwitchParameter WhatIf { get; set; }
    }

    [Cmdlet(VerbsCommon.Get, "MaceWidget", DefaultParameterSetName = "Nope")]
    [OutputType(typeof(string))]
    public sealed class BadSetsCommand : PSCmdlet
    {
        [Parameter(Position = 0, ParameterSetName = "A")]
        public string? First { get; set; }

        [Parameter(Position = 0, ParameterSetName = "A")]
        [Alias("First")]
        public string? Second { get; set; }

        [Parameter(ParameterSetName = "B", ValueFromRemainingArguments = true)]
        public string[]? Rest { get; set; }

        [Parameter(ParameterSetName = "B", ValueFromRemainingArguments = true)]
        public string[]? MoreRest { get; set; }
    }

    [Cmdlet(VerbsCommon.Get, "MaceGadget")]
    [OutputType(typeof(string))]
    public sealed class BadSwitchesCommand : PSCmdlet
    {
        [Parameter(Mandatory = true)]
        public SwitchParameter Required { get; set; }

        [Parameter]
        public SwitchParameter OnByDefault { get; set; } = true;

        [Parameter]
        [ValidateSet]
        public string? Choice { get; set; }

        [Parameter]
        public string? ReadOnly { get; private set; }
    }

    [Cmdlet(VerbsCommon.Get, "MaceStatus")]
    [OutputType(typeof(string))]
    public sealed class SingularEndingInSCommand : PSCmdlet
    {
        [Parameter(Position = 0)]
        [ValidateSet("One", "Two")]
        [SupportsWildcards]
        [Alias("N")]
        public string? Name { get; set; }

        [Parameter]
        public SwitchParameter Quiet { get; set; }

        [Parameter]
        public int Count { get; set; } = 3;
    }
}
