using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace MaceTools.Build
{
    /// <summary>docs/help → MAML and about text; and the markdown update step.</summary>
    internal static class HelpCompiler
    {
        public const string AboutTopic = "about_MaceTools";

        public static string PagePath(string helpDir, string cmdlet) => Path.Combine(helpDir, cmdlet + ".md");

        /// <summary>Reads and checks every page; throws one error listing every problem of every cmdlet.</summary>
        public static XDocument CompileMaml(string helpDir, ModuleMetadata module)
        {
            var problems = new List<string>();
            var pairs = new List<(CmdletInfo, CommandHelpDocument)>();
            foreach (var c in module.Cmdlets)
            {
                string page = PagePath(helpDir, c.Name);
                if (!File.Exists(page))
                {
                    problems.Add($"{c.Name}: no help page {page} (run `MaceTools.Build.dll markdown --repo <root>` to create a skeleton)");
                    continue;
                }
                CommandHelpDocument doc;
                try { doc = MarkdownHelpReader.ReadFile(page); }
                catch (BuildException e) { problems.Add($"{c.Name}: {e.Message}"); continue; }
                problems.AddRange(HelpValidator.Validate(c, doc));
                pairs.Add((c, doc));
            }
            foreach (var orphan in Orphans(helpDir, module))
                problems.Add($"{orphan}: documents a cmdlet that MaceTools.dll does not have");
            if (problems.Count > 0)
                throw new BuildException($"help does not match the cmdlets ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):\n  " + string.Join("\n  ", problems));
            return MamlWriter.Build(pairs);
        }

        /// <summary>Pages in docs/help that are neither an about topic nor a cmdlet of the module.</summary>
        public static IEnumerable<string> Orphans(string helpDir, ModuleMetadata module) =>
            Directory.Exists(helpDir)
                ? Directory.GetFiles(helpDir, "*.md").Where(f => !Path.GetFileName(f).StartsWith("about_", StringComparison.OrdinalIgnoreCase)
                    && module.Cmdlet(Path.GetFileNameWithoutExtension(f)) == null).OrderBy(f => f, StringComparer.Ordinal)
                : Enumerable.Empty<string>();

        public static string RenderAbout(string helpDir)
        {
            string path = Path.Combine(helpDir, AboutTopic + ".md");
            if (!File.Exists(path)) throw new BuildException($"{path}: the about topic is missing");
            return AboutTopicRenderer.Render(File.ReadAllText(path), path);
        }

        /// <summary>Creates missing pages and updates the metadata of existing ones; returns what changed.</summary>
        public static List<string> UpdateMarkdown(string helpDir, ModuleMetadata module, DateTime today)
        {
            Directory.CreateDirectory(helpDir);
            var changes = new List<string>();
            foreach (var c in module.Cmdlets)
            {
                string page = PagePath(helpDir, c.Name);
                bool exists = File.Exists(page);
                var doc = exists ? MarkdownHelpReader.ReadFile(page) : null;
                var local = new List<string>();
                doc = MarkdownHelpWriter.Update(doc, c, today, local);
                string text = MarkdownHelpWriter.Render(doc, c);
                string old = exists ? File.ReadAllText(page) : "";
                if (text != old)
                {
                    File.WriteAllBytes(page, new System.Text.UTF8Encoding(false).GetBytes(text));
                    changes.Add(exists ? $"updated {page}" + (local.Count > 0 ? ": " + string.Join("; ", local) : "") : $"created {page} (fill in the {{{{ placeholders }}}})");
                }
            }
            foreach (var orphan in Orphans(helpDir, module)) changes.Add($"warning: {orphan} documents no cmdlet of MaceTools.dll");
            return changes;
        }
    }
}
