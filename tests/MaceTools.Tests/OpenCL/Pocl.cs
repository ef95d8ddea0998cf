using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MaceTools.Devices;
using MaceTools.OpenCL;

namespace MaceTools.Tests.OpenCLTests
{
    /// <summary>
    /// The real OpenCL device of the test machine (pocl on the CPU, installed by build.sh test) and helpers that build
    /// real binaries on it through a driver worker.
    /// </summary>
    public static class Pocl
    {
        private static readonly Lazy<List<MaceDevice>> All = new Lazy<List<MaceDevice>>(() => LocalDevices.Discover());

        public static IReadOnlyList<MaceDevice> Devices => All.Value;
        public static MaceDevice Device => LocalDevices.Select(Devices, null);
        public static WorkerCommand Worker => WorkerCommand.Locate();

        public const string SmallKernel = "__kernel void add_one(__global float* x) { size_t i = get_global_id(0); x[i] = x[i] + 1.0f; }\n";

        /// <summary>Builds a source in a worker and returns the binary (the worker writes it to a file).</summary>
        public static byte[] BuildBinary(string source, string options = "")
        {
            using var tmp = new Operations.TempDir();
            File.WriteAllText(tmp.File("k.cl"), source);
            using var driver = new DriverProcess(Worker);
            var reply = driver.Send(new WorkerMessage("build").Set("device", Device.Index).Set("source", tmp.File("k.cl"))
                .Set("options", options).Set("out", tmp.File("k.bin")));
            Assert.True(reply["status"] == "0", "build failed: " + reply.Format());
            return File.ReadAllBytes(tmp.File("k.bin"));
        }
    }
}
