using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace MaceTools.Tests.Cli
{
    /// <summary>Runs the command line in-process and captures its exit code, stdout and stderr.</summary>
    internal static class CliRunner
    {
        public static (int Code, string Out, string Err) Run(string? cwd, params string[] args)
        {
            var o = new StringWriter();
            var e = new StringWriter();
            int code = MaceTools.Cli.Program.Run(args, o, e, cwd);
            return (code, o.ToString(), e.ToString());
        }

        /// <summary>
        /// A --json stream as its objects: every non-empty line must be exactly one JSON object (--json means JSON lines,
        /// on stdout and stderr alike).
        /// </summary>
        public static List<JsonElement> JsonLines(string text) =>
            text.Split('\n').Where(l => l.Trim().Length > 0).Select(l =>
            {
                var e = JsonDocument.Parse(l).RootElement.Clone();
                Assert.True(e.ValueKind == JsonValueKind.Object, $"not a JSON object line: {l}");
                return e;
            }).ToList();

        /// <summary>The one object of a --json stream that holds exactly one.</summary>
        public static JsonElement JsonLine(string text) => Assert.Single(JsonLines(text));
    }
}
