using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using MaceTools.Build;

namespace MaceTools.Tests.Module
{
    /// <summary>The restricted psd1 parser and the manifest writer.</summary>
    public class Psd1Tests
    {
        [Fact]
        public void Static_Psd1_ParsesTheRestrictedSubset()
        {
            var t = Psd1Parser.Parse(
                "# comment\n<# block\ncomment #>\n@{\n    Name = 'it''s'  # trailing comment\n    Empty = @()\n    List = @('a', 'b',\n        'c')\n" +
                "    Lines = @(\n        'x'\n        'y'\n    )\n    Comma = 'p', 'q'\n    Yes = $true; No = $False; Nothing = $null\n    Int = 42\n    Neg = -7\n    Real = 5.1\n" +
                "    'Quoted Key' = 'v'\n    Nested = @{ Inner = @{ Deep = 'd' } }\n}\n");
            Assert.Equal("it's", t.String("Name"));
            Assert.Empty(t.Array("Empty"));
            Assert.Equal(new object?[] { "a", "b", "c" }, t.Array("List"));
            Assert.Equal(new object?[] { "x", "y" }, t.Array("Lines"));
            Assert.Equal(new object?[] { "p", "q" }, t.Array("Comma"));
            Assert.Equal(true, t["Yes"]);
            Assert.Equal(false, t["no"]); // keys are case-insensitive
            Assert.Null(t["Nothing"]);
            Assert.Equal(42L, t["Int"]);
            Assert.Equal(-7L, t["Neg"]);
            Assert.Equal(5.1, t["Real"]);
            Assert.Equal("v", t.String("Quoted Key"));
            Assert.Equal("d", t.Table("Nested")!.Table("Inner")!.String("Deep"));
            Assert.Equal(new[] { "Name", "Empty", "List", "Lines", "Comma", "Yes", "No", "Nothing", "Int", "Neg", "Real", "Quoted Key", "Nested" }, t.Keys);
            Assert.Equal(new object?[] { "only" }, Psd1Parser.Parse("@{ A = 'only' }").Array("A"));
        }

        [Theory]
        [InlineData("@{ A = \"x\" }", "double-quoted")]
        [InlineData("@{ A = $env:X }", "variables")]
        [InlineData("@{ A = 'x'\n A = 'y' }", "duplicate key 'A'")]
        [InlineData("@{ A = 'x }", "unterminated string")]
        [InlineData("@{ A = 'x'", "missing '}'")]
        [InlineData("@{ A 'x' }", "expected '='")]
        [InlineData("@{ A = Get-Date }", "unexpected 'G'")]
        [InlineData("'x'", "one hashtable literal")]
        [InlineData("@{ A = 'x' } extra", "after the hashtable")]
        [InlineData("@{ A = @('x' 'y') }", "in an array")]
        public void Static_Psd1_RejectsWhatAManifestMustNotHold(string text, string expected)
        {
            var e = Assert.Throws<FormatException>(() => Psd1Parser.Parse(text));
            Assert.Contains(expected, e.Message);
            Assert.StartsWith("psd1 line ", e.Message);
        }

        [Fact]
        public void Static_Psd1_ErrorsNameTheLine()
        {
            var e = Assert.Throws<FormatException>(() => Psd1Parser.Parse("@{\n  A = 'x'\n  B = $y\n}"));
            Assert.StartsWith("psd1 line 3, column 7:", e.Message);
        }

        private static ManifestInputs Inputs(string prerelease = "") => new ManifestInputs
        {
            ModuleVersion = "1.2.3",
            Prerelease = prerelease,
            Author = "O'Brien",
            CompanyName = "C",
            Copyright = "(c) C",
            Cmdlets = new[] { "Test-MaceProgram", "Get-MaceProgram", "convert-MaceProgram" },
            Aliases = Array.Empty<string>(),
        };

        [Fact]
        public void Static_Manifest_WriterOutputParsesBackToItsInputs()
        {
            string text = ManifestWriter.Write(Inputs());
            var t = Psd1Parser.Parse(text);
            Assert.Equal("MaceTools.dll", t.String("RootModule"));
            Assert.Equal("1.2.3", t.String("ModuleVersion"));
            Assert.Equal("O'Brien", t.String("Author"));
            Assert.Equal(ManifestWriter.ModuleGuid, t.String("GUID"));
            Assert.Equal(new object?[] { "convert-MaceProgram", "Get-MaceProgram", "Test-MaceProgram" }, t.Array("CmdletsToExport"));
            Assert.Empty(t.Array("AliasesToExport"));
            Assert.Equal(new object?[] { "Desktop", "Core" }, t.Array("CompatiblePSEditions"));
            Assert.False(t.Table("PrivateData")!.Table("PSData")!.ContainsKey("Prerelease"));
            Assert.All(t.Keys, k => Assert.Contains(k, ManifestWriter.AllowedKeys));
            Assert.Equal("preview2", Psd1Parser.Parse(ManifestWriter.Write(Inputs("preview2"))).Table("PrivateData")!.Table("PSData")!.String("Prerelease"));
        }

        [Fact]
        public void Static_Manifest_IsDeterministicUtf8WithoutBomAndLf()
        {
            byte[] a = ManifestWriter.Encode(ManifestWriter.Write(Inputs()));
            byte[] b = ManifestWriter.Encode(ManifestWriter.Write(Inputs()));
            Assert.Equal(a, b);
            Assert.NotEqual(0xEF, a[0]);
            Assert.DoesNotContain((byte)'\r', a);
            Assert.Equal((byte)'\n', a[a.Length - 1]);
            Assert.DoesNotContain("\"", Encoding.UTF8.GetString(a));
        }

        [Fact]
        public void Static_Manifest_RefusesDuplicateExportsAndNoCmdlets()
        {
            var dup = Inputs();
            dup.Cmdlets = new[] { "Get-MaceProgram", "get-maceprogram" };
            Assert.Contains("exported twice", Assert.Throws<BuildException>(() => ManifestWriter.Write(dup)).Message);
            var none = Inputs();
            none.Cmdlets = new List<string>();
            Assert.Throws<BuildException>(() => ManifestWriter.Write(none));
        }

        [Fact]
        public void Static_Manifest_QuotesLikePowerShell()
        {
            Assert.Equal("'a''b'", ManifestWriter.Quote("a'b"));
            Assert.Equal("'$x \"y\"'", ManifestWriter.Quote("$x \"y\""));
            Assert.Equal("it\u2019\u2019s", ManifestWriter.Quote("it\u2019s").Trim('\''));
            Assert.Equal("a'b", Psd1Parser.ParseValue(ManifestWriter.Quote("a'b")));
            Assert.Throws<BuildException>(() => ManifestWriter.Quote("two\nlines"));
        }

        [Fact]
        public void Static_BuildProps_SplitsInformationalVersions()
        {
            Assert.Equal(("1.2.3", ""), BuildProps.Split("1.2.3"));
            Assert.Equal(("1.2.3", "preview1"), BuildProps.Split("1.2.3-preview1"));
            Assert.Equal(("1.2.3", "rc1"), BuildProps.Split("1.2.3-rc1+abcdef"));
        }
    }
}
