using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Encodings.Web;
using System.Text.Json;
using MaceTools.Devices;
using MaceTools.Remote;

namespace MaceTools.Cli
{
    /// <summary>
    /// <c>macetools agent</c>: what MaceTools runs on a Linux host over ssh. Reads JSON-line requests on standard input and
    /// answers each with one JSON line on standard output (the protocol is described at <see cref="AgentProtocol"/>).
    /// </summary>
    internal static class Agent
    {
        private static readonly JsonSerializerOptions Options = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        public static int Run(TextReader input, TextWriter output)
        {
            string? line;
            while ((line = input.ReadLine()) != null)
            {
                if (line.Trim().Length == 0) continue;
                object reply;
                try { reply = Handle(line); }
                catch (Exception e) when (e is MaceException || e is JsonException || e is InvalidOperationException || e is DllNotFoundException || e is FormatException || e is IOException)
                {
                    reply = new Dictionary<string, object?> { ["op"] = "error", ["error"] = e.Message };
                }
                output.WriteLine(JsonSerializer.Serialize(reply, Options));
                output.Flush();
            }
            return 0;
        }

        private static object Handle(string line)
        {
            using var request = JsonDocument.Parse(line);
            string op = request.RootElement.TryGetProperty("op", out var o) ? o.GetString() ?? "" : "";
            switch (op)
            {
                case "hello":
                    return new Dictionary<string, object?>
                    {
                        ["op"] = "hello",
                        ["version"] = typeof(MaceDevice).Assembly.GetName().Version?.ToString(3),
                        ["architecture"] = AgentProtocol.LocalArchitecture,
                    };
                case "devices":
                    return new Dictionary<string, object?> { ["op"] = "devices", ["devices"] = LocalDevices.Discover().Select(AgentProtocol.DeviceFields).ToList() };
                default:
                    // build and load are Core's (AgentProtocol.Serve), so both ends of them are one piece of code.
                    return AgentProtocol.Serve(line);
            }
        }
    }
}
