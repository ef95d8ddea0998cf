using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace MaceTools.Build
{
    /// <summary>
    /// Writes MAML command help (the element set of platyPS's New-ExternalHelp / Export-MamlCommandHelp, powershell-module.md §5.2).
    /// The syntax and parameter attributes come from the assembly metadata; descriptions, examples, inputs, outputs, notes
    /// and links from the markdown page.
    /// </summary>
    internal static class MamlWriter
    {
        public static readonly XNamespace Msh = "http://msh";
        public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

        public static XDocument Build(IEnumerable<(CmdletInfo Cmdlet, CommandHelpDocument Help)> commands)
        {
            var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"));
            foreach (var (cmdlet, help) in commands.OrderBy(c => c.Cmdlet.Name, StringComparer.Ordinal))
                root.Add(CommandElement(cmdlet, help));
            return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
        }

        /// <summary>UTF-8 without BOM, two-space indent, LF line ends.</summary>
        public static byte[] Serialize(XDocument doc)
        {
            var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, IndentChars = "  ", NewLineChars = "\n", NewLineHandling = NewLineHandling.Replace };
            using var ms = new MemoryStream();
            using (var w = XmlWriter.Create(ms, settings)) doc.Save(w);
            ms.WriteByte((byte)'\n');
            return ms.ToArray();
        }

        private static XElement CommandElement(CmdletInfo c, CommandHelpDocument help)
        {
            var documented = HelpModel.DocumentedParameters(c);
            string Description(ParameterInfo p) => help.Parameter(p.Name)?.Description ?? "";

            var command = new XElement(Command + "command",
                new XAttribute(XNamespace.Xmlns + "maml", Maml.NamespaceName),
                new XAttribute(XNamespace.Xmlns + "command", Command.NamespaceName),
                new XAttribute(XNamespace.Xmlns + "dev", Dev.NamespaceName),
                new XElement(Command + "details",
                    new XElement(Command + "name", c.Name),
                    new XElement(Command + "verb", c.Verb),
                    new XElement(Command + "noun", c.Noun),
                    new XElement(Maml + "description", Paras(help.Synopsis))),
                new XElement(Maml + "description", Paras(help.Description)));

            var syntax = new XElement(Command + "syntax");
            foreach (var set in c.ParameterSetNames)
            {
                var item = new XElement(Command + "syntaxItem", new XElement(Maml + "name", c.Name));
                foreach (var (p, s) in HelpModel.SyntaxOrder(c, set))
                    item.Add(Parameter(p, s, Description(p), inSyntax: true));
                syntax.Add(item);
            }
            command.Add(syntax);

            var parameters = new XElement(Command + "parameters");
            foreach (var p in documented.Where(p => !p.DontShow))
            {
                var set = c.DefaultParameterSetName != null ? p.Sets.FirstOrDefault(s => s.Name == c.DefaultParameterSetName) ?? p.Sets[0] : p.Sets[0];
                parameters.Add(Parameter(p, set, Description(p), inSyntax: false));
            }
            command.Add(parameters);

            command.Add(new XElement(Command + "inputTypes", Types(help.Inputs, Command + "inputType")));
            command.Add(new XElement(Command + "returnValues", Types(help.Outputs, Command + "returnValue")));
            if (help.Notes.Trim().Length > 0)
                command.Add(new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paras(help.Notes))));

            var examples = new XElement(Command + "examples");
            foreach (var e in help.Examples)
            {
                examples.Add(new XElement(Command + "example",
                    new XElement(Maml + "title", ExampleTitle(e.Title)),
                    new XElement(Dev + "code", e.Code),
                    new XElement(Dev + "remarks", Paras(e.Remarks))));
            }
            command.Add(examples);

            var links = new XElement(Command + "relatedLinks");
            string? online = help.Meta("HelpUri");
            if (!string.IsNullOrEmpty(online) && Markdown.IsAbsolute(online!))
                links.Add(Link("Online Version:", online!));
            foreach (var (text, uri) in help.RelatedLinks)
                links.Add(Link(text, Markdown.IsAbsolute(uri) ? uri : ""));
            command.Add(links);
            return command;
        }

        private static XElement Parameter(ParameterInfo p, ParameterSetInfo s, string description, bool inSyntax)
        {
            var e = new XElement(Command + "parameter",
                new XAttribute("required", Bool(s.Mandatory)),
                new XAttribute("variableLength", Bool(p.IsArray)),
                new XAttribute("globbing", Bool(p.SupportsWildcards)),
                new XAttribute("pipelineInput", s.PipelineInput),
                new XAttribute("position", s.Position?.ToString(CultureInfo.InvariantCulture) ?? "named"),
                new XAttribute("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases)),
                new XElement(Maml + "name", p.Name),
                new XElement(Maml + "description", Paras(description)));
            var accepted = p.AcceptedValues;
            if (accepted.Count > 0)
                e.Add(new XElement(Command + "parameterValueGroup", accepted.Select(v =>
                    new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute(Command + "variableLength", "false"), v))));
            if (!p.IsSwitch && !(inSyntax && accepted.Count > 0))
                e.Add(new XElement(Command + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", Bool(p.IsArray)), p.ShortTypeName));
            e.Add(new XElement(Dev + "type", new XElement(Maml + "name", p.TypeName), new XElement(Maml + "uri")));
            e.Add(new XElement(Dev + "defaultValue", p.DefaultValue));
            return e;
        }

        private static IEnumerable<XElement> Types(TypeListSection list, XName element)
        {
            if (list.Types.Count == 0 && list.Text.Trim().Length > 0)
            {
                yield return new XElement(element,
                    new XElement(Dev + "type", new XElement(Maml + "name", "None"), new XElement(Maml + "uri")),
                    new XElement(Maml + "description", Paras(list.Text)));
                yield break;
            }
            foreach (var kv in list.Types)
                yield return new XElement(element,
                    new XElement(Dev + "type", new XElement(Maml + "name", kv.Key), new XElement(Maml + "uri")),
                    new XElement(Maml + "description", Paras(list.Text.Length > 0 && kv.Equals(list.Types[0]) ? list.Text + "\n\n" + kv.Value : kv.Value)));
        }

        private static XElement Link(string text, string uri) =>
            new XElement(Maml + "navigationLink", new XElement(Maml + "linkText", text), new XElement(Maml + "uri", uri));

        /// <summary>The legacy renderer's title: the text centred in dashes, 64 columns wide.</summary>
        public static string ExampleTitle(string title)
        {
            int pad = Math.Max(1, (64 - title.Length - 2) / 2);
            string dashes = new string('-', pad);
            return $"{dashes} {title} {dashes}";
        }

        private static IEnumerable<XElement> Paras(string markdown) => Paras(Markdown.Blocks(markdown));

        /// <summary>One maml:para per paragraph or list item; code and tables keep their lines.</summary>
        private static IEnumerable<XElement> Paras(IEnumerable<Markdown.Block> blocks)
        {
            foreach (var b in blocks)
            {
                string text = b.Kind switch
                {
                    Markdown.BlockKind.Code => b.Text,
                    Markdown.BlockKind.Table => b.Text,
                    Markdown.BlockKind.ListItem => new string(' ', b.Level) + "- " + Markdown.Plain(b.Text),
                    _ => Markdown.Plain(b.Text),
                };
                if (b.Kind == Markdown.BlockKind.ListItem && char.IsDigit(b.Text.FirstOrDefault())) text = new string(' ', b.Level) + Markdown.Plain(b.Text);
                yield return new XElement(Maml + "para", text);
            }
        }

        private static string Bool(bool b) => b ? "true" : "false";
    }
}
