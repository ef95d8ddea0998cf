using System.IO;
using System.Text.RegularExpressions;

namespace MaceTools.Tests.Module
{
    /// <summary>
    /// Issue 14 row 18: an inventory's ssh_config (ProxyCommand) and a deployment file's absolute model_file_path are used as
    /// written, by design. What guards users is that the help says so: inventories and deployment files are code.
    /// </summary>
    public class TrustModelDocsTests
    {
        private static string Doc(string relative) => Regex.Replace(File.ReadAllText(Path.Combine(Fixtures.RepoRoot, relative)), @"\s+", " ");

        [Theory]
        [InlineData("README.md")]
        [InlineData("docs/help/about_MaceTools.md")]
        public void The_trust_model_says_inventories_and_deployment_files_are_code(string file)
        {
            string text = Doc(file);
            Assert.Contains("## Trust model", text);
            Assert.Matches("Inventories \\(`?devices.yml`?\\) and deployment files \\(`?mace.yml`?\\) are code", text);
            Assert.Contains("ProxyCommand", text);
            Assert.Contains("/etc/shadow", text);
            Assert.Contains("MACETOOLS_MAX_DOWNLOAD", text);
        }

        [Theory]
        [InlineData("docs/help/Get-MaceDevice.md", "ProxyCommand")]
        [InlineData("docs/help/Test-MaceConfig.md", "/etc/shadow")]
        [InlineData("docs/help/New-MaceProgram.md", "UnsafeName")]
        public void The_cmdlet_help_that_reads_those_files_points_at_the_trust_model(string file, string detail)
        {
            string text = Doc(file);
            Assert.Contains("trust model in about_MaceTools", text);
            Assert.Contains(detail, text);
        }
    }
}
