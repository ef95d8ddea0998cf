using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using MaceTools.Devices;
using MaceTools.Remote;

namespace MaceTools.Tests.RemoteDevice
{
    /// <summary>The agent's JSON lines (written by the CLI, read by Core) and the clinfo fallback's reader, on this machine's real device.</summary>
    public sealed class RemoteDeviceProtocolTests
    {
        [Fact]
        public void The_agent_answers_hello_and_devices_as_json_lines_that_Core_reads_back_into_the_same_devices()
        {
            var input = new System.IO.StringReader("{\"op\":\"hello\"}\n\n{\"op\":\"devices\"}\n{\"op\":\"nope\"}\n");
            var output = new System.IO.StringWriter();
            Assert.Equal(0, MaceTools.Cli.Agent.Run(input, output));
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, lines.Length);

            var hello = JsonLine.ParseObject(lines[0]);
            Assert.Equal("hello", hello["op"]);
            Assert.Equal("x86_64", hello["architecture"]);

            var local = LocalDevices.Discover();
            var read = AgentProtocol.ReadDevices(lines[1]);
            Assert.Equal(local.Count, read.Count);
            for (int i = 0; i < local.Count; i++)
            {
                Assert.Equal(JsonSerializer.Serialize(AgentProtocol.DeviceFields(local[i])), JsonSerializer.Serialize(AgentProtocol.DeviceFields(read[i])));
                Assert.Equal(local[i].PlatformInfo, read[i].PlatformInfo);
                Assert.Equal(local[i].Class.Id, read[i].Class.Id);
            }

            var error = Assert.Throws<FormatException>(() => AgentProtocol.ReadDevices(lines[2]));
            Assert.Equal("unknown agent request 'nope' (known: hello, devices, build, load, run)", error.Message);
        }

        [Fact]
        public void JsonLine_reads_escapes_numbers_nesting_and_names_the_place_of_an_error()
        {
            var o = JsonLine.ParseObject("{\"a\":\"x\\\"y\\u00e9\\n\",\"b\":[1,-2.5e1,true,false,null],\"c\":{}}");
            Assert.Equal("x\"yé\n", o["a"]);
            Assert.Equal(new object?[] { 1.0, -25.0, true, false, null }, (List<object?>)o["b"]!);
            Assert.Empty((Dictionary<string, object?>)o["c"]!);
            Assert.StartsWith("invalid JSON at character 7: expected ',' or '}'", Assert.Throws<FormatException>(() => JsonLine.Parse("{\"a\":1 \"b\":2}")).Message);
            Assert.StartsWith("invalid JSON at character 3: text after the value", Assert.Throws<FormatException>(() => JsonLine.Parse("{} x")).Message);
        }

        [Fact]
        public void ClinfoRaw_reads_this_machines_clinfo_into_the_devices_OpenCL_reports()
        {
            var r = LocalProcess.Run("clinfo", new[] { "--raw" }, null, TimeSpan.FromSeconds(60));
            Assert.True(r != null && r.ExitCode == 0, r?.Stderr);
            var parsed = ClinfoRaw.Parse(r!.Stdout);
            var local = LocalDevices.Discover();
            Assert.Equal(local.Select(d => (d.PlatformInfo, d.Name, d.Vendor, d.Version, d.Type, d.DriverVersion, d.OpenCLCVersion, d.Class.Id, d.IsMaceDefault)),
                         parsed.Select(d => (d.PlatformInfo, d.Name, d.Vendor, d.Version, d.Type, d.DriverVersion, d.OpenCLCVersion, d.Class.Id, d.IsMaceDefault)));
            Assert.Equal(local.Select(d => string.Join(" ", d.Extensions)), parsed.Select(d => string.Join(" ", d.Extensions)));
            Assert.Equal(local.Select(d => (d.MaxWorkGroupSize, d.ComputeUnits, d.MaxClockMHz, d.GlobalMemSize, d.LocalMemSize, d.SupportsImages, d.Image2DMaxWidth)),
                         parsed.Select(d => (d.MaxWorkGroupSize, d.ComputeUnits, d.MaxClockMHz, d.GlobalMemSize, d.LocalMemSize, d.SupportsImages, d.Image2DMaxWidth)));
        }

        [Fact]
        public void ClinfoRaw_gives_an_Adreno_GPU_the_identity_MACE_computes()
        {
            const string raw =
                "Number of platforms                               1\n" +
                "  CL_PLATFORM_NAME                                QUALCOMM Snapdragon(TM)\n" +
                "  CL_PLATFORM_VENDOR                              QUALCOMM\n" +
                "  CL_PLATFORM_VERSION                             OpenCL 2.0 QUALCOMM build: commit #3dad7f8ed7 changeid #I593c16c433 Date: 10/01/18 Mon Local Branch:  Remote Branch: refs/tags/AU_LINUX_ANDROID_LA.UM.7.1.R1.09.00.00.442.062\n" +
                "  CL_PLATFORM_PROFILE                             FULL_PROFILE\n" +
                "  CL_PLATFORM_ICD_SUFFIX_KHR                      QCOM\n" +
                "\n" +
                "[QCOM/*]    CL_PLATFORM_NAME                      QUALCOMM Snapdragon(TM)\n" +
                "[QCOM/*]  #DEVICES                                1\n" +
                "[QCOM/0]    CL_DEVICE_NAME                        QUALCOMM Adreno(TM)\n" +
                "[QCOM/0]    CL_DEVICE_VERSION                     OpenCL 2.0 Adreno(TM) 640\n" +
                "[QCOM/0]    CL_DRIVER_VERSION                     OpenCL 2.0 QUALCOMM build: commit #3dad7f8ed7\n" +
                "[QCOM/0]    CL_DEVICE_TYPE                        CL_DEVICE_TYPE_GPU\n" +
                "[QCOM/0]    CL_DEVICE_EXTENSIONS                  cl_khr_fp16 cl_khr_3d_image_writes\n";
            var d = Assert.Single(ClinfoRaw.Parse(raw));
            Assert.Equal("GPU", d.Type);
            Assert.True(d.IsMaceDefault);
            Assert.Equal(MaceGpuType.Adreno, d.GpuType);
            Assert.Equal("Adreno(TM) 640", d.MaceDeviceName);
            Assert.True(d.SupportsFp16);
            Assert.StartsWith("QUALCOMM Snapdragon(TM), FULL_PROFILE, OpenCL 2.0 QUALCOMM build:", d.PlatformInfo);
        }
    }
}
