using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using MaceTools.Compilation;
using MaceTools.Devices;
using MaceTools.OpenCL;
using MaceTools.Operations;
using MaceTools.Verification;

namespace MaceTools.Remote
{
    /// <summary>
    /// The wire format of <c>macetools agent</c>, the program MaceTools runs on a Linux host over ssh: JSON lines. Each line
    /// on its standard input is a request, each answer one line on its standard output, in order:
    /// <list type="bullet">
    /// <item><c>{"op":"hello"}</c> → <c>{"op":"hello","version":"0.1.0","architecture":"x86_64"}</c></item>
    /// <item><c>{"op":"devices"}</c> → <c>{"op":"devices","devices":[{...}]}</c>: every OpenCL device as
    /// <see cref="DeviceFields"/> gives it (MaceDevice's settable properties under their own names)</item>
    /// <item><c>{"op":"build","device":INDEX,"name":"...","force":false,"jobs":[{"key":"...","source":"..."}]}</c> →
    /// <c>{"op":"build","outcomes":[{"key","statusName","log","fromCache","binary"}],"verbose":[...]}</c>: the host's
    /// <see cref="ProgramCompiler"/> (its driver workers and its build cache) compiles the source text the caller assembled,
    /// so the program hashes written beside the binaries match; binaries are base64, null for a failed build.</item>
    /// <item><c>{"op":"load","device":INDEX,"name":"...","path":"file name","file":"base64"}</c> →
    /// <c>{"op":"load","loads":[{MaceEntryLoad's fields}],"verbose":[...]}</c>: <see cref="DeviceLoader.LoadAll"/> on the host,
    /// so every entry loads in the host's driver workers and a binary that crashes the driver costs one worker, not the agent.</item>
    /// <item><c>{"op":"run","device":INDEX,"name":"...","files":{"path":"base64"},"runs":["worker request line"]}</c> →
    /// <c>{"op":"run","replies":[{"reply":"worker reply line","files":{"path":"base64"}}],"verbose":[...]}</c>: model runs
    /// (<see cref="Runtime.ModelRunner"/>'s <c>run</c> worker requests) in one driver worker on the host, in order, so its
    /// programs are built once for the batch; the files the requests read travel with them under the caller's paths, and
    /// the files they write come back under those paths (<see cref="ServeRun"/>).</item>
    /// <item>any failure → <c>{"op":"error","error":"message"}</c></item>
    /// </list>
    /// The device is the host's OpenCL index with its name as a check, so a host whose drivers changed since discovery
    /// is an error rather than a build on another device. Build and load run MaceTools' own code on the host rather than
    /// CLI commands with files moved back and forth: the same objects come back, and nothing is left on the host.
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

        // ---- build and load: the caller's side ----------------------------------------------------------------------------

        public static string BuildRequest(MaceDevice device, IEnumerable<BuildJob> jobs, bool force) => JsonLine.Write(new Dictionary<string, object?>
        {
            ["op"] = "build", ["device"] = device.Index, ["name"] = device.Name, ["force"] = force,
            ["jobs"] = jobs.Select(j => new Dictionary<string, object?> { ["key"] = j.Key, ["source"] = j.Source }).ToList(),
        });

        /// <summary>The outcomes of a <c>build</c> answer, matched to the caller's jobs by key (a key the agent did not answer failed).</summary>
        public static List<BuildOutcome> ReadBuild(Dictionary<string, object?> reply, IReadOnlyList<BuildJob> jobs)
        {
            var byKey = Items(reply, "build", "outcomes").ToDictionary(o => Text(o, "key"), StringComparer.Ordinal);
            return jobs.Select(j =>
            {
                var o = new BuildOutcome(j);
                if (!byKey.TryGetValue(j.Key, out var f)) { o.StatusName = "not answered"; o.Log = "the agent's answer has no outcome for this key"; return o; }
                o.StatusName = Text(f, "statusName");
                o.Log = Text(f, "log");
                o.FromCache = f.TryGetValue("fromCache", out var c) && c is bool b && b;
                if (f.TryGetValue("binary", out var bin) && bin is string base64) o.Binary = Convert.FromBase64String(base64);
                return o;
            }).ToList();
        }

        public static string LoadRequest(MaceDevice device, MaceProgram file) => JsonLine.Write(new Dictionary<string, object?>
        {
            ["op"] = "load", ["device"] = device.Index, ["name"] = device.Name, ["path"] = file.Name, ["file"] = file.CopyBytes(),
        });

        /// <summary>The entry loads of a <c>load</c> answer, as <see cref="DeviceLoader.LoadAll"/> gave them on the host.</summary>
        public static List<MaceEntryLoad> ReadLoads(Dictionary<string, object?> reply) => Items(reply, "load", "loads").Select(f => new MaceEntryLoad
        {
            Key = Text(f, "Key"),
            Status = (EntryLoadStatus)Enum.Parse(typeof(EntryLoadStatus), Text(f, "Status")),
            StatusName = Text(f, "StatusName"),
            Stage = Text(f, "Stage"),
            Message = Text(f, "Message"),
            CreateMs = Number(f, "CreateMs"),
            BuildMs = Number(f, "BuildMs"),
            ReleaseMs = Number(f, "ReleaseMs"),
            WallMs = Number(f, "WallMs"),
            Kernels = f.TryGetValue("Kernels", out var k) && k is List<object?> list ? list.Select(x => x as string ?? "").ToArray() : new string[0],
        }).ToList();

        /// <summary>The agent's own verbose lines of an answer (what its compiler and loader said on the host).</summary>
        public static IEnumerable<string> Verbose(Dictionary<string, object?> reply) =>
            reply.TryGetValue("verbose", out var v) && v is List<object?> lines ? lines.OfType<string>() : Enumerable.Empty<string>();

        private static IEnumerable<Dictionary<string, object?>> Items(Dictionary<string, object?> reply, string op, string field)
        {
            string got = Text(reply, "op");
            if (got == "error") throw new FormatException(Text(reply, "error"));
            if (got != op || !(reply.TryGetValue(field, out var list) && list is List<object?> items))
                throw new FormatException($"expected a {op} answer, got '{JsonLine.Write(reply).Substring(0, Math.Min(200, JsonLine.Write(reply).Length))}'");
            return items.Select(i => i as Dictionary<string, object?> ?? throw new FormatException($"an item of {field} is not an object"));
        }

        private static string Text(Dictionary<string, object?> f, string name) => f.TryGetValue(name, out var v) ? Convert.ToString(v, CultureInfo.InvariantCulture) ?? "" : "";
        private static double Number(Dictionary<string, object?> f, string name) => f.TryGetValue(name, out var v) && v is double d ? d : 0;

        // ---- build and load: the agent's side ----------------------------------------------------------------------------

        /// <summary>
        /// Serves a <c>build</c> or <c>load</c> request on the host (the CLI's agent hands them here, so the work is Core's own
        /// code on both ends). Returns the answer's fields; failures throw, and the agent answers them as <c>error</c>.
        /// </summary>
        public static Dictionary<string, object?> Serve(string line)
        {
            var request = JsonLine.ParseObject(line);
            string op = Text(request, "op");
            if (op != "build" && op != "load" && op != "run") throw new InvalidOperationException($"unknown agent request '{op}' (known: hello, devices, build, load, run)");
            var verbose = new List<string>(); // no console on the host: verbose lines, warnings and errors go back in the answer
            var host = new QuietHost(verbose.Add, logErrors: true);
            var device = HostDevice((int)Number(request, "device"), Text(request, "name"));
            if (op == "run") return ServeRun(request, device, verbose);
            if (op == "build")
            {
                var jobs = Items(new Dictionary<string, object?> { ["op"] = "build", ["jobs"] = request.TryGetValue("jobs", out var j) ? j : null }, "build", "jobs")
                    .Select(f => new BuildJob(Text(f, "key"), device, Text(f, "source"))).ToList();
                var compiler = new ProgramCompiler(WorkerCommand.Locate()) { Cache = BuildCache.Default(), Force = request.TryGetValue("force", out var force) && force is bool b && b };
                var outcomes = compiler.Build(jobs, host);
                return new Dictionary<string, object?>
                {
                    ["op"] = "build",
                    ["outcomes"] = outcomes.Select(o => new Dictionary<string, object?>
                    {
                        ["key"] = o.Job.Key, ["statusName"] = o.StatusName, ["log"] = o.Log, ["fromCache"] = o.FromCache, ["binary"] = o.Binary,
                    }).ToList(),
                    ["verbose"] = verbose,
                };
            }
            var file = MaceProgram.FromBytes(Convert.FromBase64String(Text(request, "file")), Text(request, "path"));
            var worker = WorkerCommand.Locate();
            host.WriteVerbose($"loading {file.ProgramCount} program entries of {file.Name} on {device.Name} in driver workers ({worker.FileName})");
            var loads = DeviceLoader.LoadAll(file, device, worker, host);
            return new Dictionary<string, object?>
            {
                ["op"] = "load",
                ["loads"] = loads.Select(l => new Dictionary<string, object?>
                {
                    ["Key"] = l.Key, ["Status"] = l.Status.ToString(), ["StatusName"] = l.StatusName, ["Stage"] = l.Stage, ["Message"] = l.Message,
                    ["CreateMs"] = l.CreateMs, ["BuildMs"] = l.BuildMs, ["ReleaseMs"] = l.ReleaseMs, ["WallMs"] = l.WallMs, ["Kernels"] = l.Kernels,
                }).ToList(),
                ["verbose"] = verbose,
            };
        }

        // ---- run: model runs (the last op added) ------------------------------------------------------------------------------

        /// <summary>A <c>run</c> request: the worker requests, and every file they read (by the caller's path).</summary>
        public static string RunRequest(MaceDevice device, IReadOnlyList<WorkerMessage> runs)
        {
            var files = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var path in runs.SelectMany(r => Runtime.RunFiles.Read.Select(f => r[f])).Where(p => p != null).Distinct(StringComparer.Ordinal))
                files[path!] = File.ReadAllBytes(path!);
            return JsonLine.Write(new Dictionary<string, object?>
            {
                ["op"] = "run", ["device"] = device.Index, ["name"] = device.Name, ["files"] = files, ["runs"] = runs.Select(r => r.Format()).ToList(),
            });
        }

        /// <summary>
        /// The worker replies of a <c>run</c> answer; the files each run wrote are written to the paths its request named
        /// (only those: an answer cannot write anywhere else).
        /// </summary>
        public static List<WorkerMessage> ReadRun(Dictionary<string, object?> reply, IReadOnlyList<WorkerMessage> runs)
        {
            var items = Items(reply, "run", "replies").ToList();
            if (items.Count != runs.Count) throw new FormatException($"the run answer has {items.Count} replies for {runs.Count} runs");
            return items.Select((item, n) =>
            {
                var allowed = new HashSet<string>(Runtime.RunFiles.Written.Select(f => runs[n][f]).Where(p => p != null).Select(p => p!), StringComparer.Ordinal);
                if (item.TryGetValue("files", out var f) && f is Dictionary<string, object?> written)
                    foreach (var kv in written)
                    {
                        if (!allowed.Contains(kv.Key)) throw new FormatException($"the run answer carries a file '{kv.Key}' that its request did not name");
                        if (kv.Value is string base64) File.WriteAllBytes(kv.Key, Convert.FromBase64String(base64));
                    }
                return WorkerMessage.Parse(Text(item, "reply"));
            }).ToList();
        }

        /// <summary>
        /// The host's side of <c>run</c>: the files written into a scratch folder, each request's paths pointed there, the
        /// requests served in order by one driver worker (a driver crash costs that worker, not the agent), and each run's
        /// written files sent back under the caller's paths.
        /// </summary>
        private static Dictionary<string, object?> ServeRun(Dictionary<string, object?> request, MaceDevice device, List<string> verbose)
        {
            using var scratch = new Formats.ScratchDirectory("agent-run");
            var local = new Dictionary<string, string>(StringComparer.Ordinal);
            if (request.TryGetValue("files", out var f) && f is Dictionary<string, object?> files)
                foreach (var kv in files)
                {
                    string path = scratch.File("in" + local.Count.ToString(CultureInfo.InvariantCulture));
                    File.WriteAllBytes(path, Convert.FromBase64String(kv.Value as string ?? ""));
                    local[kv.Key] = path;
                }
            var runs = request.TryGetValue("runs", out var r) && r is List<object?> lines ? lines.OfType<string>().Select(WorkerMessage.Parse).ToList() : new List<WorkerMessage>();
            verbose.Add($"running {runs.Count} model run(s) on {device.Name} in one driver worker");
            var replies = new List<object?>();
            using var worker = new Runtime.LocalModelWorker(WorkerCommand.Locate());
            for (int n = 0; n < runs.Count; n++)
            {
                var run = runs[n];
                foreach (var field in Runtime.RunFiles.Read.Where(x => run[x] != null))
                    run[field] = local.TryGetValue(run[field]!, out var p) ? p : throw new FormatException($"run {n}: its {field} file was not sent");
                var back = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var field in Runtime.RunFiles.Written.Where(x => run[x] != null))
                {
                    string path = scratch.File($"out{n}.{field}");
                    back[path] = run[field]!;
                    run[field] = path;
                }
                var reply = worker.Send(new[] { run }, System.Threading.CancellationToken.None)[0];
                replies.Add(new Dictionary<string, object?>
                {
                    ["reply"] = reply.Format(),
                    ["files"] = back.Where(b => File.Exists(b.Key)).ToDictionary(b => b.Value, b => (object?)File.ReadAllBytes(b.Key)),
                });
            }
            return new Dictionary<string, object?> { ["op"] = "run", ["replies"] = replies, ["verbose"] = verbose };
        }

        /// <summary>The host's OpenCL device at <paramref name="index"/>, which must still carry the name the caller discovered.</summary>
        private static MaceDevice HostDevice(int index, string name)
        {
            var devices = LocalDevices.Discover();
            var d = devices.FirstOrDefault(x => x.Index == index);
            if (d == null || d.Name != name)
                throw new MaceException(ErrorIds.DeviceNotFound, MaceErrorCategory.ObjectNotFound,
                    $"no OpenCL device {index} named '{name}' on this host (devices: {string.Join(", ", devices.Select(x => $"{x.Index}: {x.Name}"))})", name);
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
        private AgentPackage(string directory, IReadOnlyList<string> files, string version, string dllSha256, string architecture, bool selfContained)
        {
            Directory = directory;
            Files = files;
            Version = version;
            DllSha256 = dllSha256;
            Architecture = architecture;
            SelfContained = selfContained;
        }

        public string Directory { get; }
        /// <summary>File names relative to <see cref="Directory"/>.</summary>
        public IReadOnlyList<string> Files { get; }
        /// <summary>16 hex digits of the SHA-256 over every file's name and content.</summary>
        public string Version { get; }
        /// <summary>The SHA-256 of macetools.dll, which the host's copy is checked against.</summary>
        public string DllSha256 { get; }
        /// <summary>
        /// The architecture the build runs on, as <c>uname -m</c> names it: its apphost's ELF machine (a build published for
        /// linux-arm64 is aarch64 whatever machine made it); a build without an ELF apphost is framework-dependent .NET, which
        /// runs where a .NET runtime of this machine's kind runs.
        /// </summary>
        public string Architecture { get; }
        /// <summary>A self-contained build (the .NET runtime is in <see cref="Directory"/>): the host needs no .NET of its own.</summary>
        public bool SelfContained { get; }

        /// <summary>The build that also serves as driver worker (<see cref="WorkerCommand.Locate()"/>), or null when none is found.</summary>
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
            string apphost = Path.Combine(directory, "macetools");
            if (File.Exists(apphost)) names.Insert(0, "macetools");
            bool selfContained = File.Exists(Path.Combine(directory, SelfContainedMarker));
            string architecture = File.Exists(apphost) ? ElfArchitecture(apphost) ?? AgentProtocol.LocalArchitecture : AgentProtocol.LocalArchitecture;
            try
            {
                // targets.<framework>.<package>.runtime: { "lib/net8.0/X.dll": {...} } — the assemblies macetools loads; a
                // self-contained build also lists the runtime's own native libraries (libcoreclr.so and friends) under native.
                var root = JsonLine.ParseObject(File.ReadAllText(deps));
                var assets = selfContained ? new[] { "runtime", "native" } : new[] { "runtime" };
                foreach (var target in ((Dictionary<string, object?>)root["targets"]!).Values.OfType<Dictionary<string, object?>>())
                    foreach (var package in target.Values.OfType<Dictionary<string, object?>>())
                        foreach (var asset in assets)
                            if (package.TryGetValue(asset, out var a) && a is Dictionary<string, object?> listed)
                                names.AddRange(listed.Keys.Select(k => k.Split('/').Last()));
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
            return new AgentPackage(directory, files, version, dll, architecture, selfContained);
        }

        /// <summary>The file only a self-contained .NET build has beside its apphost (the runtime itself).</summary>
        public const string SelfContainedMarker = "libcoreclr.so";

        private static string? ElfArchitecture(string path)
        {
            var head = new byte[64];
            using (var f = File.OpenRead(path)) head = head.Take(f.Read(head, 0, head.Length)).ToArray();
            return Formats.ElfMachine.OfHeader(head);
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
