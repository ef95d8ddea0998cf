using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Formats;
using MaceTools.OpenCL;
using MaceTools.Tests.Operations;
using MaceTools.Verification;

namespace MaceTools.Tests.OpenCLTests
{
    /// <summary>
    /// Damaged binaries on the real driver. pocl aborts on some and segfaults on others (environment.md); the test
    /// process must live through all of them and each entry must say what happened.
    /// </summary>
    public class IsolationTests
    {
        private static MaceProgram FileWith(params (string Key, byte[] Value)[] entries)
        {
            var records = entries.Select(e => KvRecord.Bytes(e.Key, e.Value)).ToList();
            return MaceProgram.FromBytes(MaceFileCodec.EncodeToArray(records, MaceFileFormat.G2), "poisoned.bin");
        }

        [Fact]
        public void Poisoned_binaries_end_as_crashed_or_rejected_entries_while_the_caller_lives()
        {
            byte[] good = Pocl.BuildBinary(Pocl.SmallKernel);
            byte[] flipped = (byte[])good.Clone();
            for (int i = flipped.Length / 2; i < flipped.Length / 2 + 64; i++) flipped[i] ^= 0xFF;
            byte[] truncated = good.Take(good.Length / 2).ToArray();
            byte[] random = new byte[4096];
            new Random(7).NextBytes(random);
            var file = FileWith(("a_good", good), ("b_flipped", flipped), ("c_truncated", truncated), ("d_empty", new byte[0]), ("e_random", random), ("f_good_after", good));

            var host = new RecordingHost();
            var loads = DeviceLoader.LoadAll(file, Pocl.Device, Pocl.Worker, host).ToDictionary(l => l.Key);

            Assert.Equal(EntryLoadStatus.Loaded, loads["a_good"].Status);
            Assert.Equal(new[] { "add_one" }, loads["a_good"].Kernels);
            Assert.Equal("CL_INVALID_VALUE", loads["d_empty"].StatusName);
            Assert.Equal(EntryLoadStatus.Rejected, loads["d_empty"].Status);
            Assert.Equal("CL_INVALID_BINARY", loads["e_random"].StatusName);
            Assert.Equal("create", loads["e_random"].Stage);
            // The damage in the middle and the truncation kill the driver (abort / segfault) on pocl 3.1.
            foreach (var key in new[] { "b_flipped", "c_truncated" })
            {
                var l = loads[key];
                Assert.True(l.Status == EntryLoadStatus.Crashed || l.Status == EntryLoadStatus.Rejected, $"{key}: {l.Status} {l.StatusName} {l.Message}");
                if (l.Status == EntryLoadStatus.Crashed) Assert.StartsWith("SIG", l.StatusName);
            }
            Assert.Contains(loads.Values, l => l.Status == EntryLoadStatus.Crashed);
            // After the crashes a new worker with a fresh driver cache loads the good binary again.
            Assert.Equal(EntryLoadStatus.Loaded, loads["f_good_after"].Status);

            var findings = DeviceLoader.Findings(loads.Values, Pocl.Device).ToList();
            Assert.Contains(findings, f => f.Code == "EntryCrashesDriver" && f.Severity == FindingSeverity.Error);
            Assert.Contains(findings, f => f.Code == "EntryDoesNotLoad" && f.Key == "e_random" && f.Message.Contains("CL_INVALID_BINARY"));
            Assert.DoesNotContain(findings, f => f.Key == "a_good" || f.Key == "f_good_after");
        }

        [Fact]
        public void A_binary_that_differs_from_its_hash_never_reaches_the_driver()
        {
            byte[] good = Pocl.BuildBinary(Pocl.SmallKernel);
            using var tmp = new TempDir();
            System.IO.File.WriteAllBytes(tmp.File("x.bin"), good);
            using var driver = new DriverProcess(Pocl.Worker);
            var reply = driver.Send(new WorkerMessage("load").Set("device", Pocl.Device.Index).Set("binary", tmp.File("x.bin"))
                .Set("sha256", new string('0', 64)).Set("options", ""));
            Assert.Equal("hash", reply["stage"]);
            Assert.Equal("hash mismatch", reply["statusName"]);
        }

        [Fact]
        public void A_worker_that_cannot_find_OpenCL_says_so()
        {
            using var driver = new DriverProcess(Pocl.Worker, new Dictionary<string, string> { [ClApi.LibraryVariable] = "/nonexistent/libOpenCL.so" });
            var e = Assert.Throws<MaceException>(() => driver.Send(new WorkerMessage("load")));
            Assert.Equal(ErrorIds.WorkerFailed, e.ErrorId);
            Assert.Contains("/nonexistent/libOpenCL.so", e.Message);
        }

        [Fact]
        public void A_kernel_missing_from_a_built_program_is_reported()
        {
            byte[] good = Pocl.BuildBinary(Pocl.SmallKernel);
            // The key names kernel "softmax" as s4wA5uH; the binary only has add_one.
            var file = FileWith(("softmax -Dsoftmax=s4wA5uH", good));
            var load = DeviceLoader.LoadAll(file, Pocl.Device, Pocl.Worker, new RecordingHost()).Single();
            Assert.Equal(EntryLoadStatus.KernelMissing, load.Status);
            Assert.Contains("s4wA5uH", load.Message);
        }

        [Theory]
        [InlineData(134, "SIGABRT")]
        [InlineData(139, "SIGSEGV")]
        [InlineData(137, "SIGKILL")]
        [InlineData(3, "exit 3")]
        public void Exit_codes_name_their_signal(int code, string name) => Assert.Equal(name, DriverProcess.SignalName(code));

        [Fact]
        public void Worker_messages_survive_any_text()
        {
            var m = new WorkerMessage("x").Set("log", "a\tb\nc\\d\r=e").Set("n", 1.5);
            var back = WorkerMessage.Parse(m.Format());
            Assert.DoesNotContain("\n", m.Format());
            Assert.Equal("a\tb\nc\\d\r=e", back["log"]);
            Assert.Equal(1.5, back.GetDouble("n"));
            Assert.Equal("x", back.Op);
        }
    }
}
