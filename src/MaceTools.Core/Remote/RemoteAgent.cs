using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using MaceTools.Devices;
using MaceTools.OpenCL;

namespace MaceTools.Remote
{
    /// <summary>
    /// The wire format of <c>macetools agent</c>, the program MaceTools runs on a Linux host over ssh: JSON lines. Each line
    /// on its standard input is a request, each answer one line on its standard output, in order:
    /// <list type="bullet">
    /// <item><c>{"op":"hello"}</c> → <c>{"op":"hello","version":"0.1.0","architecture":"x86_64"}</c></item>
    /// <item><c>{"op":"devices"}</c> → <c>{"op":"devices","devices":[{...}]}</c>: every OpenCL device as
    /// <see cref="DeviceFields"/> gives it (MaceDevice's settable properties under their own names)</item>
    /// <item>any failure → <c>{"op":"error","error":"message"}</c></item>
    /// </list>
    /// JSON rather than the driver worker's tab-separated lines because the agent talks to other machines, where a
    /// self-describing, widely readable format helps whoever debugs it; the CLI writes it with System.Text.Json and Core
    /// reads it with <see cref="JsonLine"/>.
    /// </summary>
    public static class AgentProtocol
    {
        /// <summary>The hidden CLI command that serves the protocol.</summary>
        public const string Command = "agent";

        private static readonly PropertyInfo[] Settable = typeof(MaceDevice).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic && p.CanRead).ToArray();

        /// <summary>This machine's architecture as <c>uname -m</c> prints it (x86_64, aarch64, armv7l, i686).</summary>
        public static string LocalArchitecture => UnameName(RuntimeInformation.OSArchitecture);

        public static string UnameName(Architecture a) => a switch
        {
            Architecture.X64 => "x86_64",
            Architecture.Arm64 => "aarch64",
            Architecture.Arm => "armv7l",
            Architecture.X86 => "i686",
            _ => a.ToString().ToLowerInvariant(),
        };

        /// <summary>A device's settable properties by name: what the agent sends (computed identity is recomputed on arrival).</summary>
        public static IDictionary<string, object?> DeviceFields(MaceDevice d) => Settable.ToDictionary(p => p.Name, p => (object?)p.GetValue(d), StringComparer.Ordinal);

        /// <summary>A device from the agent's fields; unknown names are ignored, so an older agent's answer still reads.</summary>
        public static MaceDevice ReadDevice(IDictionary<string, object?> fields)
        {
            var d = new MaceDevice();
            foreach (var p in Settable)
            {
                if (!fields.TryGetValue(p.Name, out var v) || v == null) continue;
                var t = p.PropertyType;
                object value =
                    t == typeof(string) ? Convert.ToString(v, CultureInfo.InvariantCulture)!
                    : t == typeof(bool) ? (object)(v is bool b && b)
                    : t == typeof(int) ? Convert.ToInt32(v, CultureInfo.InvariantCulture)
                    : t == typeof(long) ? Convert.ToInt64(v, CultureInfo.InvariantCulture)
                    : t == typeof(string[]) ? ((IEnumerable<object?>)v).Select(x => Convert.ToString(x, CultureInfo.InvariantCulture) ?? "").ToArray()
                    : t == typeof(long[]) ? ((IEnumerable<object?>)v).Select(x => Convert.ToInt64(x, CultureInfo.InvariantCulture)).ToArray()
                    : throw new FormatException($"agent field {p.Name}: no reader for {t.Name}");
                p.SetValue(d, value);
            }
            return d;
        }

        /// <summary>Reads a <c>devices</c> answer; an <c>error</c> answer or anything else is a <see cref="FormatException"/> with its text.</summary>
        public static List<MaceDevice> ReadDevices(string line)
        {
            var reply = JsonLine.ParseObject(line);
            string op = reply.TryGetValue("op", out var o) ? o as string ?? "" : "";
            if (op == "error") throw new FormatException(reply.TryGetValue("error", out var e) ? e as string ?? "error" : "error");
            if (op != "devices" || !(reply.TryGetValue("devices", out var list) && list is List<object?> items))
                throw new FormatException($"expected a devices answer, got '{line}'");
            return items.Select(i => ReadDevice(i as Dictionary<string, object?> ?? throw new FormatException("a device is not an object"))).ToList();
        }
    }

    /// <summary>
    /// The files of a framework-dependent <c>macetools</c> build that the agent needs on a host: the apphost, macetools.dll, its
    /// runtimeconfig and deps.json, and the assemblies the deps.json lists (so a test's bin folder, which holds far more,
    /// ships only these). <see cref="Version"/> is a hash of names and contents, so a changed build goes to a new folder.
    /// </summary>
    public sealed class AgentPackage
    {
        private AgentPackage(string directory, IReadOnlyList<string> files, string version, string dllSha256)
        {
            Directory = directory;
            Files = files;
            Version = version;
            DllSha256 = dllSha256;
        }

        public string Directory { get; }
        /// <summary>File names relative to <see cref="Directory"/>.</summary>
        public IReadOnlyList<string> Files { get; }
        /// <summary>16 hex digits of the SHA-256 over every file's name and content.</summary>
        public string Version { get; }
        /// <summary>The SHA-256 of macetools.dll, which the host's copy is checked against.</summary>
        public string DllSha256 { get; }
        /// <summary>The architecture the build runs on: framework-dependent .NET runs where a .NET runtime of this machine's kind runs.</summary>
        public string Architecture { get; } = AgentProtocol.LocalArchitecture;

        /// <summary>The build that also serves as driver worker (<see cref="WorkerCommand.Locate"/>), or null when none is found.</summary>
        public static AgentPackage? Find()
        {
            var cmd = WorkerCommand.Locate();
            string path = cmd.PrefixArguments.Length > 0 ? cmd.PrefixArguments[0] : cmd.FileName;
            string? dir = Path.IsPathRooted(path) ? Path.GetDirectoryName(path) : null;
            return dir != null && File.Exists(Path.Combine(dir, "macetools.deps.json")) ? FromDirectory(dir) : null;
        }

        public static AgentPackage FromDirectory(string directory)
        {
            string deps = Path.Combine(directory, "macetools.deps.json");
            var names = new List<string> { "macetools.dll", "macetools.runtimeconfig.json", "macetools.deps.json" };
            if (File.Exists(Path.Combine(directory, "macetools"))) names.Insert(0, "macetools");
            try
            {
                // targets.<framework>.<package>.runtime: { "lib/net8.0/X.dll": {...} } — the assemblies macetools loads.
                var root = JsonLine.ParseObject(File.ReadAllText(deps));
                foreach (var target in ((Dictionary<string, object?>)root["targets"]!).Values.OfType<Dictionary<string, object?>>())
                    foreach (var package in target.Values.OfType<Dictionary<string, object?>>())
                        if (package.TryGetValue("runtime", out var rt) && rt is Dictionary<string, object?> runtime)
                            names.AddRange(runtime.Keys.Select(k => k.Split('/').Last()));
            }
            catch (Exception e) when (e is IOException || e is FormatException || e is KeyNotFoundException || e is InvalidCastException)
            {
                throw new MaceException(ErrorIds.FileUnreadable, MaceErrorCategory.ReadError, $"{deps}: cannot read the agent's file list: {e.Message}", deps, e);
            }
            var files = names.Distinct(StringComparer.Ordinal).ToList();
            foreach (var f in files.Where(f => !File.Exists(Path.Combine(directory, f))))
                throw new MaceException(ErrorIds.FileNotFound, MaceErrorCategory.ObjectNotFound, $"{Path.Combine(directory, f)}: the agent build is incomplete (macetools.deps.json lists it)", f);
            using var sha = SHA256.Create();
            foreach (var f in files)
            {
                byte[] name = Encoding.UTF8.GetBytes(f + "\n");
                sha.TransformBlock(name, 0, name.Length, null, 0);
                byte[] content = File.ReadAllBytes(Path.Combine(directory, f));
                sha.TransformBlock(content, 0, content.Length, null, 0);
            }
            sha.TransformFinalBlock(new byte[0], 0, 0);
            string version = Hex(sha.Hash!).Substring(0, 16);
            using var dllSha = SHA256.Create();
            string dll = Hex(dllSha.ComputeHash(File.ReadAllBytes(Path.Combine(directory, "macetools.dll"))));
            return new AgentPackage(directory, files, version, dll);
        }

        /// <summary>The files as one tar stream (the system's tar, which keeps the apphost's execute bit).</summary>
        public byte[] Tar()
        {
            var args = new List<string> { "-C", Directory, "-cf", "-", "--" };
            args.AddRange(Files);
            var r = LocalProcess.Run("tar", args, null, TimeSpan.FromMinutes(2));
            if (r == null || r.ExitCode != 0)
                throw new MaceException(ErrorIds.ToolNotFound, MaceErrorCategory.InvalidOperation,
                    $"tar could not pack the agent from {Directory}: {(r == null ? "timed out" : r.Stderr.Trim())}", Directory);
            return r.StdoutBytes;
        }

        private static string Hex(byte[] bytes) => string.Concat(bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }
}
