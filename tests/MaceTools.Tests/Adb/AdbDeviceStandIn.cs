using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using System.Threading;
using MaceTools.Tests.Operations;

namespace MaceTools.Tests.Adb
{
    /// <summary>
    /// A phone stand-in for the real adb client and server: a loopback TCP port that speaks the adb transport protocol
    /// as adbd does (24-byte messages CNXN/AUTH/OPEN/OKAY/WRTE/CLSE), with the shell service (protocol v2, so exit
    /// codes come back) and the sync service (STAT/LST2/STA2, LIST, SEND, RECV, QUIT).
    /// <para>
    /// The device's file system is a folder, <see cref="Root"/>. Shell commands run in the real /bin/sh, so sh parsing
    /// is what a phone does, chrooted into that folder inside a private mount namespace (<c>unshare -m</c>; as
    /// non-root with <c>-r</c>): the host's /usr, /etc (read-only) and /dev are bind-mounted in, nothing else, so
    /// "/data/local/tmp/x" is <c>Root/data/local/tmp/x</c> for the shell and for sync alike, and a command that escaped
    /// its quoting leaves its traces in <see cref="Root"/>. <c>getprop</c> and <c>dumpsys</c> are small scripts in
    /// /system/bin fed by the property profile and the GLES line.
    /// </para>
    /// </summary>
    [UnsupportedOSPlatform("windows")]
    public sealed class AdbDeviceStandIn : IDisposable
    {
        public const string DefaultGles = "Qualcomm, Adreno (TM) 640, OpenGL ES 3.2 V@415.0 (GIT@a8cb1c5, I8ee5bd8f8c, 1565872539) (Date:08/15/19)";

        /// <summary>A Xiaomi Mi 9 (Snapdragon 855, Adreno 640).</summary>
        public static IReadOnlyDictionary<string, string> DefaultProfile { get; } = new Dictionary<string, string>
        {
            ["ro.product.name"] = "cepheus",
            ["ro.product.model"] = "MI 9",
            ["ro.product.device"] = "cepheus",
            ["ro.product.manufacturer"] = "Xiaomi",
            ["ro.board.platform"] = "msmnihilo",
            ["ro.soc.model"] = "SM8150",
            ["ro.product.cpu.abi"] = "arm64-v8a",
            ["ro.product.cpu.abilist"] = "arm64-v8a,armeabi-v7a,armeabi",
            ["ro.build.version.release"] = "11",
            ["ro.build.version.sdk"] = "30",
        };

        /// <summary>Features adbd advertises in its banner: shell v2 (exit codes, split stderr) and stat v2.</summary>
        public const string DefaultFeatures = "shell_v2,cmd,stat_v2,fixed_push_mkdir";

        private const uint A_CNXN = 0x4e584e43, A_AUTH = 0x48545541, A_OPEN = 0x4e45504f, A_OKAY = 0x59414b4f, A_CLSE = 0x45534c43, A_WRTE = 0x45545257;
        private const uint Version = 0x01000001;
        private const int OwnMaxData = 256 * 1024;
        private const int SyncDataMax = 64 * 1024;

        private readonly TempDir dir = new TempDir();
        private readonly TcpListener listener;
        private readonly Thread acceptThread;
        private readonly List<Connection> connections = new List<Connection>();
        private readonly bool requireAuth;
        private volatile bool disposed;

        /// <param name="properties">The getprop profile; <see cref="DefaultProfile"/> when null.</param>
        /// <param name="gles">The GLES line of dumpsys SurfaceFlinger; none when null.</param>
        /// <param name="requireAuth">Answer CNXN with AUTH and never accept a key, as a phone that was never authorized does.</param>
        /// <param name="features">The banner's features; without shell_v2 adb falls back to the raw shell (no exit code, as before Android 7).</param>
        public AdbDeviceStandIn(IReadOnlyDictionary<string, string>? properties = null, string? gles = DefaultGles, bool requireAuth = false, string features = DefaultFeatures)
        {
            Properties = properties ?? DefaultProfile;
            Features = features;
            this.requireAuth = requireAuth;
            Root = Path.Combine(dir.Path, "device");
            BuildRoot(gles);
            CheckShell();
            listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            acceptThread = new Thread(AcceptLoop) { IsBackground = true, Name = "adb stand-in " + Port };
            acceptThread.Start();
        }

        public IReadOnlyDictionary<string, string> Properties { get; }
        public string Features { get; }
        public int Port { get; }
        public string Address => "127.0.0.1:" + Port;
        /// <summary>The host folder that is the device's "/".</summary>
        public string Root { get; }

        /// <summary>Where a device path lies on this machine; a path that leaves <see cref="Root"/> is refused.</summary>
        public string HostPath(string devicePath)
        {
            if (!devicePath.StartsWith("/", StringComparison.Ordinal)) throw new IOException("Not an absolute path: " + devicePath);
            string full = Path.GetFullPath(Path.Combine(Root, devicePath.TrimStart('/')));
            if (full != Root && !full.StartsWith(Root + "/", StringComparison.Ordinal)) throw new IOException("Permission denied: " + devicePath);
            return full;
        }

        public void Dispose()
        {
            disposed = true;
            listener.Stop();
            lock (connections) foreach (var c in connections) c.Close();
            acceptThread.Join(TimeSpan.FromSeconds(5));
            dir.Dispose();
        }

        // ---- the device's file system -----------------------------------------------------------------------------

        private static readonly string[] HostFolders = { "usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc" };

        private void BuildRoot(string? gles)
        {
            foreach (var d in HostFolders)
            {
                var info = new DirectoryInfo("/" + d);
                if (info.LinkTarget != null) File.CreateSymbolicLink(Path.Combine(Root, d), info.LinkTarget);
                else if (info.Exists) Directory.CreateDirectory(Path.Combine(Root, d));
            }
            foreach (var d in new[] { "dev", "data/local/tmp", "system/bin", "system/etc" }) Directory.CreateDirectory(Path.Combine(Root, d));
            var props = new StringBuilder();
            foreach (var p in Properties.OrderBy(p => p.Key, StringComparer.Ordinal)) props.Append('[').Append(p.Key).Append("]: [").Append(p.Value).Append("]\n");
            File.WriteAllText(Path.Combine(Root, "system/etc/standin.props"), props.ToString());
            // A few lines around GLES, as SurfaceFlinger prints them, so a parser has to find the line.
            File.WriteAllText(Path.Combine(Root, "system/etc/standin.surfaceflinger"),
                "Build configuration: [sf PRESENT_TIME_OFFSET=0 FORCE_HWC_FOR_RBG_TO_YUV=1 MAX_VIRT_DISPLAY_DIM=4096 RUNNING_WITHOUT_SYNC_FRAMEWORK=0 NUM_FRAMEBUFFER_SURFACE_BUFFERS=3]\n" +
                "Display identification data:\n\n" +
                (gles == null ? "" : "GLES: " + gles + "\n") +
                "GL_EXT_debug_marker GL_ARM_rgba8 GL_ARM_shader_framebuffer_fetch\n");
            WriteScript("system/bin/getprop", GetpropScript);
            WriteScript("system/bin/dumpsys", DumpsysScript);
        }

        // getprop: all "[key]: [value]" lines, or one key's value (an empty line when unset), as Android's does.
        private const string GetpropScript = """
            #!/bin/sh
            f=/system/etc/standin.props
            [ $# -eq 0 ] && exec cat "$f"
            while IFS= read -r line; do
              case "$line" in "[$1]: ["*) v=${line#"[$1]: ["}; printf '%s\n' "${v%]}"; exit 0;; esac
            done < "$f"
            echo
            """;

        private const string DumpsysScript = """
            #!/bin/sh
            [ "$1" = SurfaceFlinger ] && exec cat /system/etc/standin.surfaceflinger
            echo "Can't find service: $1" >&2
            exit 1
            """;

        private void WriteScript(string relative, string text)
        {
            string path = Path.Combine(Root, relative);
            File.WriteAllText(path, text.Replace("\r\n", "\n") + "\n");
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
        }

        // Runs in a private mount namespace: mounts the host's program folders into Root and chroots there.
        private const string EnterDevice = """
            r=$1
            for d in usr bin sbin lib lib32 lib64 libx32 etc; do
              [ -d "/$d" ] && [ ! -L "/$d" ] || continue
              mount --rbind "/$d" "$r/$d" || { echo "adb stand-in: cannot mount /$d" >&2; exit 125; }
              mount -o remount,bind,ro "$r/$d" 2>/dev/null
            done
            mount --rbind /dev "$r/dev" || { echo "adb stand-in: cannot mount /dev" >&2; exit 125; }
            exec chroot "$r" /bin/sh -c "$2"
            """;

        [DllImport("libc", EntryPoint = "geteuid")]
        private static extern uint GetEuid();

        private Process StartShell(string command)
        {
            var psi = new ProcessStartInfo("unshare")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            psi.ArgumentList.Add("-m");
            if (GetEuid() != 0) psi.ArgumentList.Add("-r");
            foreach (var a in new[] { "/bin/sh", "-c", EnterDevice, "adb-stand-in", Root, command }) psi.ArgumentList.Add(a);
            // Android's shell environment, not the test runner's.
            psi.Environment.Clear();
            psi.Environment["PATH"] = "/system/bin:/usr/sbin:/usr/bin:/sbin:/bin";
            psi.Environment["HOME"] = "/";
            psi.Environment["TMPDIR"] = "/data/local/tmp";
            psi.Environment["ANDROID_DATA"] = "/data";
            return Process.Start(psi) ?? throw new InvalidOperationException("unshare did not start");
        }

        private void CheckShell()
        {
            using var p = StartShell("getprop ro.product.model");
            string output = p.StandardOutput.ReadToEnd();
            string error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
                throw new InvalidOperationException($"The adb stand-in needs a private mount namespace and chroot (unshare -m as root, or -r with user namespaces): exit {p.ExitCode}: {output}{error}");
        }

        // ---- transport ----------------------------------------------------------------------------------------------

        private void AcceptLoop()
        {
            while (!disposed)
            {
                TcpClient client;
                try { client = listener.AcceptTcpClient(); }
                catch (Exception e) when (e is SocketException || e is ObjectDisposedException || e is InvalidOperationException) { return; }
                var c = new Connection(this, client);
                lock (connections) connections.Add(c);
                new Thread(c.Run) { IsBackground = true, Name = "adb stand-in connection" }.Start();
            }
        }

        private sealed class Message
        {
            public Message(uint command, uint arg0, uint arg1, byte[] data)
            {
                Command = command; Arg0 = arg0; Arg1 = arg1; Data = data;
            }

            public uint Command { get; }
            public uint Arg0 { get; }
            public uint Arg1 { get; }
            public byte[] Data { get; }
        }

        /// <summary>One transport (what the adb server opened to us): its streams by our local id.</summary>
        private sealed class Connection
        {
            private readonly AdbDeviceStandIn device;
            private readonly TcpClient client;
            private readonly Stream net;
            private readonly object sendLock = new object();
            private readonly ConcurrentDictionary<uint, Channel> channels = new ConcurrentDictionary<uint, Channel>();
            private uint nextId;

            public Connection(AdbDeviceStandIn device, TcpClient client)
            {
                this.device = device;
                this.client = client;
                net = client.GetStream();
            }

            /// <summary>The largest WRTE payload: the smaller of the host's and our CNXN maxdata.</summary>
            public int MaxData { get; private set; } = 4096;

            public void Run()
            {
                try
                {
                    while (Read() is Message m) Handle(m);
                }
                catch (Exception e) when (e is IOException || e is ObjectDisposedException || e is InvalidDataException) { }
                finally
                {
                    Close();
                    foreach (var ch in channels.Values) ch.HostClosed();
                }
            }

            public void Close() => client.Close();

            private Message? Read()
            {
                var header = new byte[24];
                if (!ReadFully(header)) return null;
                uint command = U32(header, 0), length = U32(header, 12), magic = U32(header, 20);
                if (magic != (command ^ 0xffffffff) || length > 1024 * 1024) throw new InvalidDataException("bad adb message header");
                var data = new byte[length];
                if (!ReadFully(data)) return null;
                return new Message(command, U32(header, 4), U32(header, 8), data);
            }

            private bool ReadFully(byte[] buffer)
            {
                for (int got = 0; got < buffer.Length;)
                {
                    int n = net.Read(buffer, got, buffer.Length - got);
                    if (n == 0) return false;
                    got += n;
                }
                return true;
            }

            private void Handle(Message m)
            {
                switch (m.Command)
                {
                    case A_CNXN:
                        MaxData = (int)Math.Min(m.Arg1, OwnMaxData);
                        if (device.requireAuth) SendAuthToken();
                        else Send(A_CNXN, Math.Min(m.Arg0, Version), OwnMaxData, Encoding.ASCII.GetBytes(device.Banner()));
                        break;
                    case A_AUTH:
                        // A signature we cannot check: ask again, as adbd does, until the host offers its public key,
                        // which a phone would show in a prompt nobody answers here.
                        if (m.Arg0 == 2) SendAuthToken();
                        break;
                    case A_OPEN:
                        Open(m.Arg0, Encoding.UTF8.GetString(m.Data).TrimEnd('\0'));
                        break;
                    case A_WRTE:
                        if (channels.TryGetValue(m.Arg1, out var target))
                        {
                            target.Deliver(m.Data);
                            Send(A_OKAY, m.Arg1, m.Arg0, Array.Empty<byte>());
                        }
                        break;
                    case A_OKAY:
                        if (channels.TryGetValue(m.Arg1, out var acked)) acked.Acknowledge();
                        break;
                    case A_CLSE:
                        if (channels.TryRemove(m.Arg1, out var closed)) closed.HostClosed();
                        break;
                }
            }

            private void SendAuthToken()
            {
                var token = new byte[20];
                Random.Shared.NextBytes(token);
                Send(A_AUTH, 1, 0, token);
            }

            private void Open(uint remoteId, string service)
            {
                Action<Channel>? run = Service(service);
                if (run == null)
                {
                    Send(A_CLSE, 0, remoteId, Array.Empty<byte>());
                    return;
                }
                var ch = new Channel(this, Interlocked.Increment(ref nextId), remoteId);
                channels[ch.LocalId] = ch;
                Send(A_OKAY, ch.LocalId, remoteId, Array.Empty<byte>());
                new Thread(() =>
                {
                    try { run(ch); }
                    catch (Exception e) when (e is IOException || e is OperationCanceledException || e is ObjectDisposedException) { }
                    finally { ch.Close(); }
                }) { IsBackground = true, Name = "adb stand-in " + service.Split(':')[0] }.Start();
            }

            // "shell:CMD" (raw, no exit code), "shell,v2,raw:CMD" (protocol v2), "exec:CMD" (raw), "sync:".
            private Action<Channel>? Service(string service)
            {
                int colon = service.IndexOf(':');
                if (colon < 0) return null;
                string name = service.Substring(0, colon), rest = service.Substring(colon + 1);
                var options = name.Split(',');
                if (options[0] == "shell") return ch => device.Shell(ch, rest, options.Contains("v2"));
                if (name == "exec") return ch => device.Shell(ch, rest, false);
                if (name == "sync") return device.Sync;
                return null;
            }

            public void Forget(uint localId) => channels.TryRemove(localId, out _);

            public void Send(uint command, uint arg0, uint arg1, byte[] data, int offset = 0, int count = -1)
            {
                if (count < 0) count = data.Length - offset;
                var header = new byte[24];
                uint sum = 0;
                for (int i = 0; i < count; i++) sum += data[offset + i];
                Put(header, 0, command); Put(header, 4, arg0); Put(header, 8, arg1);
                Put(header, 12, (uint)count); Put(header, 16, sum); Put(header, 20, command ^ 0xffffffff);
                lock (sendLock)
                {
                    net.Write(header, 0, 24);
                    net.Write(data, offset, count);
                }
            }
        }

        private string Banner()
        {
            string Get(string key) => Properties.TryGetValue(key, out var v) ? v : "";
            return $"device::ro.product.name={Get("ro.product.name")};ro.product.model={Get("ro.product.model")};ro.product.device={Get("ro.product.device")};features={Features}";
        }

        /// <summary>One stream: what the host wrote to it (a byte queue) and WRTEs out of it, each waiting for its OKAY.</summary>
        private sealed class Channel
        {
            private readonly Connection connection;
            private readonly BlockingCollection<byte[]> incoming = new BlockingCollection<byte[]>();
            private readonly SemaphoreSlim acks = new SemaphoreSlim(0);
            private readonly CancellationTokenSource hostClosed = new CancellationTokenSource();
            private readonly object writeLock = new object();
            private byte[] current = Array.Empty<byte>();
            private int offset;
            private int closed;

            public Channel(Connection connection, uint localId, uint remoteId)
            {
                this.connection = connection;
                LocalId = localId;
                RemoteId = remoteId;
            }

            public uint LocalId { get; }
            public uint RemoteId { get; }
            public CancellationToken HostClosedToken => hostClosed.Token;

            public void Deliver(byte[] data)
            {
                try { incoming.Add(data); }
                catch (InvalidOperationException) { }
            }

            public void Acknowledge() => acks.Release();

            public void HostClosed()
            {
                hostClosed.Cancel();
                incoming.CompleteAdding();
            }

            /// <summary>Up to count bytes; 0 at the end of the stream.</summary>
            public int Read(byte[] buffer, int index, int count)
            {
                while (offset == current.Length)
                {
                    if (!incoming.TryTake(out var next, Timeout.Infinite)) return 0;
                    current = next;
                    offset = 0;
                }
                int n = Math.Min(count, current.Length - offset);
                Array.Copy(current, offset, buffer, index, n);
                offset += n;
                return n;
            }

            /// <summary>Exactly count bytes; false at a clean end of stream before the first byte.</summary>
            public bool ReadExactly(byte[] buffer, int count)
            {
                for (int got = 0; got < count;)
                {
                    int n = Read(buffer, got, count - got);
                    if (n == 0)
                    {
                        if (got == 0) return false;
                        throw new IOException("stream ended inside a request");
                    }
                    got += n;
                }
                return true;
            }

            public void Write(byte[] data, int index = 0, int count = -1)
            {
                if (count < 0) count = data.Length - index;
                lock (writeLock)
                {
                    while (count > 0)
                    {
                        int n = Math.Min(count, connection.MaxData);
                        connection.Send(A_WRTE, LocalId, RemoteId, data, index, n);
                        // adbd sends the next WRTE only after the host's OKAY for this one.
                        acks.Wait(hostClosed.Token);
                        index += n;
                        count -= n;
                    }
                }
            }

            public void Close()
            {
                if (Interlocked.Exchange(ref closed, 1) != 0) return;
                connection.Forget(LocalId);
                if (!hostClosed.IsCancellationRequested)
                {
                    try { connection.Send(A_CLSE, LocalId, RemoteId, Array.Empty<byte>()); }
                    catch (Exception e) when (e is IOException || e is ObjectDisposedException) { }
                }
                incoming.CompleteAdding();
            }
        }

        // ---- shell service --------------------------------------------------------------------------------------------

        private const byte IdStdin = 0, IdStdout = 1, IdStderr = 2, IdExit = 3, IdCloseStdin = 4;

        private void Shell(Channel ch, string command, bool v2)
        {
            using var p = StartShell(command);
            using var kill = ch.HostClosedToken.Register(() => { try { p.Kill(true); } catch (InvalidOperationException) { } });
            var input = new Thread(() => PumpStdin(ch, p, v2)) { IsBackground = true };
            var output = new Thread(() => PumpOutput(ch, p.StandardOutput.BaseStream, v2 ? IdStdout : (byte?)null)) { IsBackground = true };
            var error = new Thread(() => PumpOutput(ch, p.StandardError.BaseStream, v2 ? IdStderr : (byte?)null)) { IsBackground = true };
            input.Start(); output.Start(); error.Start();
            output.Join(); error.Join();
            p.WaitForExit();
            if (v2) ch.Write(Packet(IdExit, new[] { (byte)p.ExitCode }, 0, 1));
        }

        private static byte[] Packet(byte id, byte[] data, int index, int count)
        {
            var packet = new byte[5 + count];
            packet[0] = id;
            Put(packet, 1, (uint)count);
            Array.Copy(data, index, packet, 5, count);
            return packet;
        }

        private static void PumpOutput(Channel ch, Stream from, byte? id)
        {
            var buffer = new byte[SyncDataMax];
            try
            {
                for (int n; (n = from.Read(buffer, 0, buffer.Length)) > 0;)
                {
                    if (id is byte packetId) ch.Write(Packet(packetId, buffer, 0, n));
                    else ch.Write(buffer, 0, n);
                }
            }
            catch (Exception e) when (e is IOException || e is OperationCanceledException || e is ObjectDisposedException) { }
        }

        private static void PumpStdin(Channel ch, Process p, bool v2)
        {
            var stdin = p.StandardInput.BaseStream;
            try
            {
                var header = new byte[5];
                while (true)
                {
                    if (!v2)
                    {
                        var raw = new byte[SyncDataMax];
                        int n = ch.Read(raw, 0, raw.Length);
                        if (n == 0) break;
                        stdin.Write(raw, 0, n);
                        stdin.Flush();
                        continue;
                    }
                    if (!ch.ReadExactly(header, 5)) break;
                    var data = new byte[U32(header, 1)];
                    if (data.Length > 0 && !ch.ReadExactly(data, data.Length)) break;
                    if (header[0] == IdCloseStdin) break;
                    if (header[0] == IdStdin) { stdin.Write(data, 0, data.Length); stdin.Flush(); }
                    // Window-size changes (5) mean nothing without a pty.
                }
            }
            catch (Exception e) when (e is IOException || e is ObjectDisposedException) { }
            finally
            {
                try { stdin.Close(); } catch (IOException) { }
            }
        }

        // ---- sync service ----------------------------------------------------------------------------------------------

        private static uint Id(string s) => U32(Encoding.ASCII.GetBytes(s), 0);

        private static readonly uint STAT = Id("STAT"), LST2 = Id("LST2"), STA2 = Id("STA2"), LIST = Id("LIST"), SEND = Id("SEND"), RECV = Id("RECV"),
            QUIT = Id("QUIT"), DENT = Id("DENT"), DONE = Id("DONE"), DATA = Id("DATA"), OKAY = Id("OKAY"), FAIL = Id("FAIL");

        private const int ENOENT = 2;

        private void Sync(Channel ch)
        {
            var header = new byte[8];
            while (ch.ReadExactly(header, 8))
            {
                uint id = U32(header, 0), length = U32(header, 4);
                if (length > 1024) { SyncFail(ch, "path too long"); return; }
                var pathBytes = new byte[length];
                if (length > 0 && !ch.ReadExactly(pathBytes, (int)length)) return;
                string path = Encoding.UTF8.GetString(pathBytes);
                if (id == QUIT) return;
                else if (id == STAT) StatV1(ch, path);
                else if (id == LST2 || id == STA2) StatV2(ch, id, path);
                else if (id == LIST) List(ch, path);
                else if (id == RECV) Recv(ch, path);
                else if (id == SEND) { if (!Send(ch, path)) return; }
                else { SyncFail(ch, "unknown sync request"); return; }
            }
        }

        private sealed class Stat
        {
            public uint Mode;
            public long Size, Atime, Mtime, Ctime;
        }

        // lstat (follow=false) or stat of a device path; null when it does not exist.
        private Stat? StatOf(string devicePath, bool follow)
        {
            string host;
            try { host = HostPath(devicePath); }
            catch (IOException) { return null; }
            FileSystemInfo info = Directory.Exists(host) ? new DirectoryInfo(host) : new FileInfo(host);
            if (info.LinkTarget != null && !follow)
                return new Stat { Mode = 0xA000 | 0x1FF, Size = info.LinkTarget.Length, Mtime = Unix(info.LastWriteTimeUtc) };
            if (info.LinkTarget != null) info = info.ResolveLinkTarget(true) ?? info;
            if (!info.Exists) return null;
            bool isDir = info is DirectoryInfo;
            return new Stat
            {
                Mode = (isDir ? 0x4000u : 0x8000u) | (uint)File.GetUnixFileMode(info.FullName),
                Size = isDir ? 4096 : ((FileInfo)info).Length,
                Atime = Unix(info.LastAccessTimeUtc),
                Mtime = Unix(info.LastWriteTimeUtc),
                Ctime = Unix(info.LastWriteTimeUtc),
            };
        }

        private static long Unix(DateTime utc) => new DateTimeOffset(utc).ToUnixTimeSeconds();

        private void StatV1(Channel ch, string path)
        {
            var st = StatOf(path, follow: false) ?? new Stat();
            var reply = new byte[16];
            Put(reply, 0, STAT); Put(reply, 4, st.Mode); Put(reply, 8, (uint)st.Size); Put(reply, 12, (uint)st.Mtime);
            ch.Write(reply);
        }

        private void StatV2(Channel ch, uint id, string path)
        {
            var st = StatOf(path, follow: id == STA2);
            // id, error, dev, ino, mode, nlink, uid, gid, size, atime, mtime, ctime: 72 bytes, zeros beside an error.
            var reply = new byte[72];
            Put(reply, 0, id);
            if (st == null) Put(reply, 4, ENOENT);
            else
            {
                Put(reply, 24, st.Mode); Put(reply, 28, 1);
                BitConverter.TryWriteBytes(reply.AsSpan(40), st.Size);
                BitConverter.TryWriteBytes(reply.AsSpan(48), st.Atime);
                BitConverter.TryWriteBytes(reply.AsSpan(56), st.Mtime);
                BitConverter.TryWriteBytes(reply.AsSpan(64), st.Ctime);
            }
            ch.Write(reply);
        }

        private void List(Channel ch, string path)
        {
            string host;
            try { host = HostPath(path); }
            catch (IOException) { host = ""; }
            if (host.Length > 0 && Directory.Exists(host))
            {
                foreach (var entry in new DirectoryInfo(host).EnumerateFileSystemInfos())
                {
                    var st = StatOf(path.TrimEnd('/') + "/" + entry.Name, follow: false);
                    if (st == null) continue;
                    var name = Encoding.UTF8.GetBytes(entry.Name);
                    var dent = new byte[20 + name.Length];
                    Put(dent, 0, DENT); Put(dent, 4, st.Mode); Put(dent, 8, (uint)st.Size); Put(dent, 12, (uint)st.Mtime); Put(dent, 16, (uint)name.Length);
                    name.CopyTo(dent, 20);
                    ch.Write(dent);
                }
            }
            var done = new byte[20];
            Put(done, 0, DONE);
            ch.Write(done);
        }

        private void Recv(Channel ch, string path)
        {
            FileStream file;
            try { file = File.OpenRead(HostPath(path)); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                SyncFail(ch, e is FileNotFoundException || e is DirectoryNotFoundException ? "No such file or directory" : e.Message);
                return;
            }
            using (file)
            {
                var buffer = new byte[SyncDataMax];
                for (int n; (n = file.Read(buffer, 0, buffer.Length)) > 0;)
                {
                    var chunk = new byte[8 + n];
                    Put(chunk, 0, DATA); Put(chunk, 4, (uint)n);
                    Array.Copy(buffer, 0, chunk, 8, n);
                    ch.Write(chunk);
                }
            }
            var done = new byte[8];
            Put(done, 0, DONE);
            ch.Write(done);
        }

        // SEND "path,mode", then DATA chunks, then DONE with the mtime; OKAY or FAIL only after DONE. False: give up the session.
        private bool Send(Channel ch, string spec)
        {
            int comma = spec.LastIndexOf(',');
            string path = comma < 0 ? spec : spec.Substring(0, comma);
            uint mode = comma < 0 ? 0x81A4u : uint.Parse(spec.Substring(comma + 1), System.Globalization.CultureInfo.InvariantCulture);
            bool link = (mode & 0xF000) == 0xA000;
            string? error = null;
            string host = "";
            Stream? file = null;
            try
            {
                host = HostPath(path);
                // adbd creates the parent folders of what it receives.
                Directory.CreateDirectory(Path.GetDirectoryName(host)!);
                file = link ? new MemoryStream() : new FileStream(host, FileMode.Create, FileAccess.Write);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { error = e.Message; }
            var header = new byte[8];
            try
            {
                while (true)
                {
                    if (!ch.ReadExactly(header, 8)) return false;
                    uint id = U32(header, 0), length = U32(header, 4);
                    if (id == DONE)
                    {
                        if (file != null && error == null)
                        {
                            if (link && file is MemoryStream target) File.CreateSymbolicLink(host, Encoding.UTF8.GetString(target.ToArray()));
                            file.Dispose();
                            file = null;
                            if (!link)
                            {
                                File.SetUnixFileMode(host, (UnixFileMode)(mode & 0x1FF));
                                File.SetLastWriteTimeUtc(host, DateTimeOffset.FromUnixTimeSeconds(length).UtcDateTime);
                            }
                        }
                        break;
                    }
                    if (id != DATA || length > SyncDataMax)
                    {
                        SyncFail(ch, "invalid data message");
                        return false;
                    }
                    var data = new byte[length];
                    if (!ch.ReadExactly(data, data.Length)) return false;
                    try { if (error == null) file?.Write(data, 0, data.Length); }
                    catch (IOException e) { error = e.Message; }
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { error ??= e.Message; }
            finally { file?.Dispose(); }
            if (error != null) SyncFail(ch, error);
            else
            {
                var okay = new byte[8];
                Put(okay, 0, OKAY);
                ch.Write(okay);
            }
            return true;
        }

        private static void SyncFail(Channel ch, string message)
        {
            var text = Encoding.UTF8.GetBytes(message);
            var reply = new byte[8 + text.Length];
            Put(reply, 0, FAIL); Put(reply, 4, (uint)text.Length);
            text.CopyTo(reply, 8);
            ch.Write(reply);
        }

        private static uint U32(byte[] b, int i) => BitConverter.ToUInt32(b, i);
        private static void Put(byte[] b, int i, uint v) => BitConverter.TryWriteBytes(b.AsSpan(i), v);
    }
}
