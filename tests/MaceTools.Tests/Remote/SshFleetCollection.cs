namespace MaceTools.Tests.Remote
{
    /// <summary>One fleet for all Remote test classes: they run one after another and share its start-up (about a second).</summary>
    /// <remarks>Apart from SshFleet.cs, which MaceTools.TestHosts compiles too (without xunit).</remarks>
    [CollectionDefinition(Name)]
    public sealed class SshFleetCollection : ICollectionFixture<SshFleet>
    {
        public const string Name = "ssh fleet";
    }
}
