using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using MaceTools.Formats;
using MaceTools.Tests.Operations;

namespace MaceTools.Tests.FormatsTests
{
    /// <summary>The one input gate: only regular files, each kind within its cap, read with a bound.</summary>
    public class InputGateTests
    {
        /// <summary>A FIFO with no writer: opening it for reading would block until one comes.</summary>
        internal static string MakeFifo(TempDir dir, string name = "fifo")
        {
            string path = dir.File(name);
            using var p = Process.Start(new ProcessStartInfo("mkfifo", path) { UseShellExecute = false })!;
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);
            return path;
        }

        /// <summary>A sparse file of <paramref name="size"/> bytes (no disk used) whose first bytes are <paramref name="head"/>.</summary>
        internal static string MakeSparse(TempDir dir, string name, long size, byte[]? head = null)
        {
            string path = dir.File(name);
            using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            if (head != null) fs.Write(head, 0, head.Length);
            fs.SetLength(size);
            return path;
        }

        /// <summary>Runs <paramref name="read"/> on another thread, so a read that blocks fails the test instead of hanging it.</summary>
        internal static MaceException Refused(Action read)
        {
            var task = System.Threading.Tasks.Task.Run(read);
            Assert.True(System.Threading.Tasks.Task.WhenAny(task, System.Threading.Tasks.Task.Delay(TimeSpan.FromSeconds(10))).Result == task, "the read blocked");
            Assert.True(task.IsFaulted, "the read succeeded");
            var e = Assert.IsAssignableFrom<MaceException>(task.Exception!.InnerException);
            return e;
        }

        [Theory]
        [InlineData("/dev/zero", "character device")]
        [InlineData("/dev/urandom", "character device")]
        [InlineData("/dev/null", "character device")]
        public void Character_devices_are_refused_before_any_byte_is_read(string device, string what)
        {
            foreach (InputKind kind in Enum.GetValues(typeof(InputKind)))
            {
                var e = Refused(() => InputGate.ReadAll(device, kind));
                Assert.Equal(ErrorIds.NotARegularFile, e.ErrorId);
                Assert.Equal($"{device}: is a {what}, not a regular file", e.Message);
            }
        }

        [Fact]
        public void A_FIFO_without_a_writer_is_refused_without_blocking()
        {
            using var dir = new TempDir();
            string fifo = MakeFifo(dir);
            var e = Refused(() => InputGate.ReadAll(fifo, InputKind.DeploymentFile));
            Assert.Equal(ErrorIds.NotARegularFile, e.ErrorId);
            Assert.Contains("is a FIFO", e.Message);
            Assert.Equal(ErrorIds.NotARegularFile, Refused(() => InputGate.OpenRead(fifo, InputKind.Model).Dispose()).ErrorId);
        }

        [Fact]
        public void A_directory_is_refused_as_a_directory()
        {
            using var dir = new TempDir();
            var e = Refused(() => InputGate.ReadAll(dir.Path, InputKind.Inventory));
            Assert.Equal(ErrorIds.NotARegularFile, e.ErrorId);
            Assert.Equal($"{dir.Path}: is a directory, not a regular file", e.Message);
        }

        [Fact]
        public void A_1_GB_file_is_refused_by_its_size_naming_the_cap_without_reading_it()
        {
            using var dir = new TempDir();
            string big = MakeSparse(dir, "big.bin", 1L << 30);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<MaceException>(() => InputGate.ReadAll(big, InputKind.MaceFile));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the gate allocated for the file's content");
            Assert.Equal(ErrorIds.InputTooLarge, e.ErrorId);
            Assert.Equal($"{big}: is 1 GB; MACE program and tuning files are capped at 64 MB (set MACETOOLS_MAX_MACE_FILE to raise the cap)", e.Message);
            Assert.Contains("deployment files are capped at 4 MB", Assert.Throws<MaceException>(() => InputGate.ReadAll(big, InputKind.DeploymentFile)).Message);
            Assert.Contains("inventories are capped at 4 MB", Assert.Throws<MaceException>(() => InputGate.ReadAll(big, InputKind.Inventory)).Message);
        }

        [Fact]
        public void Every_kind_has_a_cap_and_a_name_in_the_one_table()
        {
            foreach (InputKind kind in Enum.GetValues(typeof(InputKind)))
            {
                Assert.True(InputGate.Caps.TryGetValue(kind, out var cap), kind.ToString());
                Assert.InRange(cap.Bytes, 1L << 20, int.MaxValue);
                Assert.False(string.IsNullOrEmpty(cap.Plural));
            }
            Assert.Equal("MACETOOLS_MAX_DEPLOYMENT_FILE", InputGate.VariableOf(InputKind.DeploymentFile));
        }

        [Fact]
        public void A_symlink_to_a_regular_file_is_read()
        {
            using var dir = new TempDir();
            string link = dir.File("link.bin");
            File.CreateSymbolicLink(link, Fixtures.Path(Fixtures.PoclTuning));
            Assert.Equal(Fixtures.Bytes(Fixtures.PoclTuning), InputGate.ReadAll(link, InputKind.MaceFile));
        }

        [Fact]
        public void A_file_that_reports_size_0_is_still_read_to_its_end()
        {
            // Files under /proc are regular, say 0 bytes, and hold text: the read goes by what comes, not by the size.
            string text = InputGate.ReadText("/proc/self/status", InputKind.DeploymentFile);
            Assert.Contains("VmPeak", text);
        }

        [Fact]
        public void A_missing_file_is_FileNotFound()
        {
            using var dir = new TempDir();
            var e = Assert.Throws<MaceException>(() => InputGate.ReadAll(dir.File("nope.yml"), InputKind.DeploymentFile));
            Assert.Equal(ErrorIds.FileNotFound, e.ErrorId);
            Assert.Equal(ErrorIds.FileNotFound, Assert.Throws<MaceException>(() => InputGate.ReadAll(dir.File("no/such/dir.yml"), InputKind.DeploymentFile)).ErrorId);
        }

        [Fact]
        public void A_file_that_grows_past_its_cap_while_it_is_read_is_refused()
        {
            using var dir = new TempDir();
            string path = dir.File("grows.cl");
            File.WriteAllBytes(path, new byte[100]);
            using var s = InputGate.OpenRead(path, InputKind.KernelSource);
            using (var writer = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
                writer.Write(new byte[5 << 20], 0, 5 << 20); // past the 4 MB cap of kernel sources, after the open
            var e = Assert.Throws<MaceException>(() => s.CopyTo(Stream.Null));
            Assert.Equal(ErrorIds.InputTooLarge, e.ErrorId);
            Assert.Contains("grew past", e.Message);
        }

        [Fact]
        public void Real_fixtures_pass_the_gate_and_still_decode()
        {
            foreach (string name in new[] { Fixtures.Adreno, Fixtures.Mali, Fixtures.PoclTuning })
                Assert.NotEmpty(MaceFileCodec.ReadFile(Fixtures.Path(name)).Records);
        }
    }
}
