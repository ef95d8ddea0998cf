using System.Diagnostics;
using System.IO;
using System.Linq;
using MaceTools.Remote;
using MaceTools.Tests.Operations;

namespace MaceTools.Tests.Adb
{
    /// <summary>RemoteQuote and the parsers of adb's and the device's output, without a device.</summary>
    public sealed class AdbParsingTests
    {
        [Theory]
        [InlineData("abc", "'abc'")]
        [InlineData("", "''")]
        [InlineData("it's", "'it'\\''s'")]
        [InlineData("$(x) `y` \\ \"z\"", "'$(x) `y` \\ \"z\"'")]
        [InlineData("''", "''\\'''\\'''")]
        public void Sh_WrapsInSingleQuotes(string input, string expected) => Assert.Equal(expected, RemoteQuote.Sh(input));

        [Fact]
        public void Sh_RefusesNul()
        {
            var e = Assert.Throws<MaceException>(() => RemoteQuote.Sh("a\0b"));
            Assert.Equal(ErrorIds.InvalidArgument, e.ErrorId);
        }

        [Fact]
        public void Command_RefusesAnEmptyArgv()
        {
            var e = Assert.Throws<MaceException>(() => RemoteQuote.Command(new string[0]));
            Assert.Equal(ErrorIds.InvalidArgument, e.ErrorId);
        }

        [Fact]
        public void Command_IsReadBackVerbatimByALocalSh()
        {
            using var cwd = new TempDir();
            var argv = new[] { "printf", "%s\\0" }.Concat(HostileStrings.Arguments).ToArray();
            var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = cwd.Path };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(RemoteQuote.Command(argv));
            Assert.Equal(HostileStrings.Arguments, Run(psi));
            Assert.Empty(Directory.EnumerateFileSystemEntries(cwd.Path));
        }

        [Fact]
        public void WindowsQuote_IsSplitBackByDotNet()
        {
            // The fallback command line of LocalProcess (no ArgumentList, as on .NET Framework): .NET's own splitting gives each string back.
            var args = HostileStrings.Arguments.Concat(new[] { "", "\\", "a\\\\\"b", "trailing\\\\" }).ToArray();
            var all = new[] { "-c", "printf '%s\\0' \"$@\"", "sh" }.Concat(args);
            var psi = new ProcessStartInfo("/bin/sh", string.Join(" ", all.Select(LocalProcess.WindowsQuote))) { RedirectStandardOutput = true, UseShellExecute = false };
            Assert.Equal(args, Run(psi));
        }

        // The NUL-separated strings a printf '%s\0' command wrote.
        private static string[] Run(ProcessStartInfo psi)
        {
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);
            return output.Split('\0').SkipLast(1).ToArray();
        }

        [Fact]
        public void Devices_ParsesEveryState()
        {
            const string output =
                "* daemon not running; starting now at tcp:5037\n" +
                "* daemon started successfully\n" +
                "List of devices attached\n" +
                "127.0.0.1:5555         device product:cepheus model:MI_9 device:cepheus transport_id:3\n" +
                "emulator-5554          offline transport_id:1\n" +
                "8a3f2b1c               unauthorized usb:1-1 transport_id:2\n" +
                "0123456789ABCDEF       no permissions (user in plugdev group; are your udev rules wrong?); see [http://developer.android.com/tools/device.html] usb:1-2 transport_id:4\n" +
                "\n";
            var list = AdbDevice.ParseList(output);
            Assert.Equal(new[] { "127.0.0.1:5555", "emulator-5554", "8a3f2b1c", "0123456789ABCDEF" }, list.Select(d => d.Serial));
            Assert.Equal(new[] { "device", "offline", "unauthorized", "no permissions" }, list.Select(d => d.State));
            Assert.Equal(new[] { true, false, false, false }, list.Select(d => d.IsOnline));
            Assert.Equal("MI_9", list[0].Model);
            Assert.Equal("3", list[0].TransportId);
            Assert.Equal("1-1", list[2].Properties["usb"]);
            Assert.StartsWith("no permissions (user in plugdev group;", list[3].StateDetail);
            Assert.Equal("4", list[3].TransportId);
            Assert.Empty(AdbDevice.ParseList("List of devices attached\n\n"));
        }

        [Fact]
        public void Getprop_ParsesKeyValueLinesAndSkipsTheRest()
        {
            var props = AdbIdentity.ParseGetprop("[ro.product.model]: [MI 9]\r\n[empty]: []\n[ro.x]: [a]: [b]\ngarbage\n");
            Assert.Equal("MI 9", props["ro.product.model"]);
            Assert.Equal("", props["empty"]);
            Assert.Equal("a]: [b", props["ro.x"]);
            Assert.Equal(3, props.Count);
        }

        [Fact]
        public void Gles_IsTheTextAfterTheGlesLabel()
        {
            Assert.Equal("ARM, Mali-G76, OpenGL ES 3.2 v1.r26p0", AdbIdentity.ParseGles("Display 0\n  GLES: ARM, Mali-G76, OpenGL ES 3.2 v1.r26p0\nmore\n"));
            Assert.Null(AdbIdentity.ParseGles("no gpu here\n"));
        }
    }
}
