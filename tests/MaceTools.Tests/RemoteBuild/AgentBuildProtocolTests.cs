using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Remote;
using MaceTools.Tests.OpenCLTests;

namespace MaceTools.Tests.RemoteBuild
{
    /// <summary>The agent's build and load requests in process: what Core writes, the CLI's agent answers, and Core reads back.</summary>
    public sealed class AgentBuildProtocolTests
    {
        private static List<Dictionary<string, object?>> Agent(params string[] requests)
        {
            var output = new System.IO.StringWriter();
            Assert.Equal(0, MaceTools.Cli.Agent.Run(new System.IO.StringReader(string.Join("\n", requests) + "\n"), output));
            return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(JsonLine.ParseObject).ToList();
        }

        [Fact]
        public void JsonLine_writes_what_it_reads()
        {
            var value = new Dictionary<string, object?> { ["s"] = "a\"b\\c\nd\u0001\u2028é", ["n"] = 2, ["d"] = 1.5, ["b"] = true, ["z"] = null, ["l"] = new[] { "x" }, ["bytes"] = new byte[] { 1, 2, 255 } };
            var back = JsonLine.ParseObject(JsonLine.Write(value));
            Assert.Equal(value["s"], back["s"]);
            Assert.Equal(2.0, back["n"]);
            Assert.Equal(1.5, back["d"]);
            Assert.Equal(true, back["b"]);
            Assert.Null(back["z"]);
            Assert.Equal(new object?[] { "x" }, (List<object?>)back["l"]!);
            Assert.Equal(Convert.ToBase64String(new byte[] { 1, 2, 255 }), back["bytes"]);
            Assert.DoesNotContain('\n', JsonLine.Write(value));
        }

        [Fact]
        public void A_build_for_a_device_the_host_does_not_have_is_an_error_answer_listing_its_devices_and_the_next_request_is_served()
        {
            var answers = Agent("{\"op\":\"build\",\"device\":0,\"name\":\"no such GPU\",\"jobs\":[]}", "{\"op\":\"hello\"}");
            Assert.Equal("error", answers[0]["op"]);
            Assert.StartsWith("no OpenCL device 0 named 'no such GPU' on this host (devices: 0: " + Pocl.Devices[0].Name, (string)answers[0]["error"]!);
            Assert.Equal("hello", answers[1]["op"]);
        }
    }
}
