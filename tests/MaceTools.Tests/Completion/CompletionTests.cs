using System.IO;
using System.Linq;
using MaceTools.Completion;
using MaceTools.Devices;
using MaceTools.Tests.Operations;
using MaceTools.Tests.OpenCLTests;

namespace MaceTools.Tests.Completion
{
    /// <summary>What tab completion offers (the module's completers only wrap these). Pester checks the same through TabExpansion2.</summary>
    public sealed class CompletionTests
    {
        private const string Fleet =
            "devices:\n" +
            "  pi:\n    address: 10.0.0.5\n    username: pi\n    target_socs: bcm2711\n    models: Raspberry Pi 4\n    tags: [lab, arm64]\n" +
            "  pixel 7:\n    transport: adb\n    serial: 28021FDH\n    models: Pixel 7\n    target_socs: gs201\n    tags: [phones, lab]\n";

        [Fact]
        public void MaceVersions_offers_known_releases_by_prefix_newest_first_and_each_parses()
        {
            var all = Completions.MaceVersions("");
            Assert.Equal(MaceVersion.Latest.Text, all[0].Value);
            Assert.All(all, i => MaceVersion.Parse(i.Value));
            Assert.Equal(new[] { "v1.0.4", "v1.0.3", "v1.0.0" }, Completions.MaceVersions("v1.0").Select(i => i.Value));
            Assert.Contains("G1", Completions.MaceVersions("v1.0.4")[0].Description);
            Assert.Contains("G2", all[0].Description);
            Assert.Empty(Completions.MaceVersions("v9"));
        }

        [Fact]
        public void Targets_and_tags_come_from_the_inventory_given_and_keep_names_with_spaces()
        {
            using var tmp = new TempDir();
            File.WriteAllText(tmp.File("fleet.yml"), Fleet);
            Assert.Equal(new[] { "pi", "pixel 7" }, Completions.Targets("", "fleet.yml", tmp.Path).Select(i => i.Value));
            Assert.Equal(new[] { "pixel 7" }, Completions.Targets("pix", "fleet.yml", tmp.Path).Select(i => i.Value));
            Assert.Equal(new[] { "pixel 7" }, Completions.Targets("*7", "fleet.yml", tmp.Path).Select(i => i.Value));
            Assert.Contains("adb 28021FDH", Completions.Targets("pixel", "fleet.yml", tmp.Path)[0].Description);
            var tags = Completions.Tags("", "fleet.yml", tmp.Path);
            Assert.Equal(new[] { "arm64", "lab", "phones" }, tags.Select(t => t.Value));
            Assert.Equal("lab: 2 device(s)", tags[1].Description);
        }

        [Fact]
        public void A_broken_or_missing_inventory_offers_nothing_rather_than_failing()
        {
            using var tmp = new TempDir();
            File.WriteAllText(tmp.File("bad.yml"), "devices: [unclosed\n");
            Assert.Empty(Completions.Targets("", "bad.yml", tmp.Path));
            Assert.Empty(Completions.Tags("", "missing.yml", tmp.Path));
        }

        [Fact]
        public void Devices_offers_ids_then_names_of_what_the_driver_reports()
        {
            var devices = Pocl.Devices;
            var items = Completions.Devices("", () => devices);
            Assert.Equal(devices.Select(d => d.Id).Concat(devices.Select(d => d.Name)).Distinct(), items.Select(i => i.Value));
            var first = devices[0];
            Assert.Contains(Completions.Devices(first.Name.Substring(0, 3), () => devices), i => i.Value == first.Name);
            Assert.Empty(Completions.Devices("x", () => throw new MaceException(ErrorIds.OpenClNotFound, MaceErrorCategory.ObjectNotFound, "no OpenCL", null)));
        }
    }
}
