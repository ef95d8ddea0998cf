using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using MaceTools.Remote;

namespace MaceTools.Tests.Remote
{
    /// <summary>One sshd of the fleet: its own network namespace, address, host key, log and root folder.</summary>
    public sealed class FleetHost
    {
        private readonly StringBuilder _log = new StringBuilder();

        internal FleetHost(string name, string ns, string address, string root, string models, string soc)
        {
            Name = name;
            Models = models;
            Soc = soc;
            Namespace = ns;
            Address = address;
            Root = root;
        }

        public string Name { get; }
        /// <summary>The devices.yml models and target_socs: what MACE names its files by ("Test Board good1", "RK3399" unless given).</summary>
        public string Models { get; }
        public string Soc { get; }
        public string Namespace { get; }
        public string Address { get; }
        /// <summary>This host's "remote" files: namespaces share the file system, so device paths are real paths here.</summary>
        public string Root { get; }
        public string UploadDir => Path.Combine(Root, "upload");
        /// <summary>First on the host's PATH (sshd SetEnv): a test may put a stand-in command here, e.g. a uname of another architecture.</summary>
        public string BinDir => Path.Combine(Root, "bin");
        /// <summary>The host's XDG_CACHE_HOME (sshd SetEnv), so per-host caches stay apart although all hosts share root's home.</summary>
        public string CacheDir => Path.Combine(Root, "cache");
        internal Process? Sshd { get; set; }
        internal bool TmpfsMounted { get; set; }

        public string Log { get { lock (_log) return _log.ToString(); } }
        internal void AddLog(string? line) { if (line != null) lock (_log) _log.AppendLine(line); }

        /// <summary>How many logins sshd accepted: one per ssh connection, so shared connections show as one.</summary>
        public int AcceptedLogins => Log.Split('\n').Count(l => l.Contains("Accepted publickey"));
    }

    /// <summary>
    /// Real OpenSSH servers, each in a network namespace made here and reached from this namespace over a veth pair
    /// (environment.md "ssh"). Hosts: good1 and good2; down (namespace and address, no sshd: connection refused); full (its
    /// upload folder is a 64 KiB tmpfs); changed (known_hosts holds an older key than the one it serves). Writes the client
    /// key, known_hosts and a devices.yml that names them relative to itself. Needs root, /usr/sbin/sshd, ssh, ssh-keygen and
    /// ip; without them the tests fail and say what to install. Names carry this process's id, so a later run removes what
    /// a crashed one left behind without touching a run in progress.
    /// </summary>
    public sealed class SshFleet : IDisposable
    {
        public const int Port = 2222;
        public const string User = "root";
        private const string Prefix = "mtssh";
        private const string DirPrefix = "macetools-ssh-";
        private readonly List<FleetHost> _hosts = new List<FleetHost>();
        private readonly string _tag = Guid.NewGuid().ToString("N").Substring(0, 5);

        private readonly string[] _names;

        public SshFleet() : this(new[] { "good1", "good2", "down", "full", "changed" }) { }

        /// <summary>A fleet of <paramref name="goodHosts"/> working hosts good1, good2, … (for benchmarks; at most 31 fit the /24).</summary>
        /// <remarks>A factory, not a constructor: xUnit wants one public constructor on a collection fixture.</remarks>
        public static SshFleet WithGoodHosts(int goodHosts) => new SshFleet(Enumerable.Range(1, goodHosts).Select(i => "good" + i).ToArray());

        /// <summary>
        /// A fleet of the named hosts (tests/MaceTools.TestHosts, for Pester and the help examples). down, full and changed
        /// behave as described above; any other name is a working host. A spec <c>name=Models/soc</c>, e.g.
        /// <c>nanopi=NanoPi M4/rk3399</c>, gives the host the devices.yml models and target_socs of a real board.
        /// </summary>
        public static SshFleet WithHosts(params string[] specs)
        {
            if (specs.Length == 0) throw new ArgumentException("name at least one host", nameof(specs));
            var names = new string[specs.Length];
            var identities = new Dictionary<string, (string Models, string Soc)>();
            for (int i = 0; i < specs.Length; i++)
            {
                int eq = specs[i].IndexOf('=');
                names[i] = eq < 0 ? specs[i] : specs[i].Substring(0, eq);
                if (eq < 0) continue;
                string[] identity = specs[i].Substring(eq + 1).Split('/');
                if (identity.Length != 2 || identity.Any(p => p.Trim().Length == 0))
                    throw new ArgumentException($"host '{specs[i]}': write name=Models/soc, e.g. nanopi=NanoPi M4/rk3399", nameof(specs));
                identities[names[i]] = (identity[0].Trim(), identity[1].Trim());
            }
            var bad = names.FirstOrDefault(n => n.Length == 0 || !n.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'));
            if (bad != null) throw new ArgumentException($"host name '{bad}': use letters, digits, '-' and '_' (it becomes a devices.yml key and a folder)", nameof(specs));
            var twice = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            if (twice != null) throw new ArgumentException($"host name '{twice.Key}' is given twice", nameof(specs));
            return new SshFleet(names, identities);
        }

        /// <summary>Hosts that fail on purpose (tag "bad"); every other host works (tags "good" and "lab", the help examples' tag).</summary>
        private static bool IsBadHost(string name) => name is "down" or "full" or "changed";

        private readonly IReadOnlyDictionary<string, (string Models, string Soc)> _identities;

        private SshFleet(string[] names, IReadOnlyDictionary<string, (string Models, string Soc)>? identities = null)
        {
            _identities = identities ?? new Dictionary<string, (string Models, string Soc)>();
            if (names.Length > 31) throw new ArgumentOutOfRangeException(nameof(names), "at most 31 hosts fit the fleet's /24");
            _names = names;
            CheckPrerequisites();
            RemoveLeftovers();
            Dir = Path.Combine(Path.GetTempPath(), $"{DirPrefix}{Environment.ProcessId}-{_tag}");
            Directory.CreateDirectory(Dir);
            try { Start(); }
            catch { Dispose(); throw; }
        }

        public string Dir { get; }
        public string ClientKey => Path.Combine(Dir, "client_key");
        public string KnownHosts => Path.Combine(Dir, "known_hosts");
        public string EmptyKnownHosts => Path.Combine(Dir, "known_hosts_empty");
        public string DevicesYml => Path.Combine(Dir, "devices.yml");
        public IReadOnlyList<FleetHost> Hosts => _hosts;
        public FleetHost this[string name] => _hosts.Single(h => h.Name == name);
        /// <summary>An address on the down host's link that nobody holds: packets go nowhere, so connecting times out.</summary>
        public string SilentAddress { get; private set; } = "";

        /// <summary>A device of the fleet as the devices.yml describes it (read through <see cref="MaceInventory"/>).</summary>
        public InventoryDevice Device(string name) => MaceInventory.Read(DevicesYml).Single(d => d.Name == name);

        /// <summary>An ssh client with test-sized timeouts.</summary>
        public SshClient Client(string name) => Client(Device(name));

        public static SshClient Client(InventoryDevice device) =>
            new SshClient(device) { ConnectTimeout = TimeSpan.FromSeconds(3), CommandTimeout = TimeSpan.FromSeconds(20) };

        private void Start()
        {
            // sshd refuses to start without its privilege-separation folder.
            Directory.CreateDirectory("/run/sshd");
            Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "macetools-test-client", "-f", ClientKey);
            File.Copy(ClientKey + ".pub", Path.Combine(Dir, "authorized_keys"));

            string subnet = FreeSubnet();
            string[] names = _names;
            var knownHosts = new StringBuilder();
            for (int i = 0; i < names.Length; i++)
            {
                string name = names[i];
                int b = 8 * i;
                var (models, soc) = _identities.TryGetValue(name, out var id) ? id : ("Test Board " + name, "RK3399");
                var host = new FleetHost(name, $"{Prefix}{Environment.ProcessId}x{_tag}{i}", $"{subnet}.{b + 2}", Path.Combine(Dir, "hosts", name), models, soc);
                _hosts.Add(host);
                Directory.CreateDirectory(host.UploadDir);
                MakeNamespace(host, $"{subnet}.{b + 1}", $"mt{_tag}{i}");
                if (name == "down") { SilentAddress = $"{subnet}.{b + 3}"; continue; }

                string key = Path.Combine(host.Root, "host_key");
                Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key);
                string known = key;
                if (name == "changed")
                {
                    // known_hosts keeps the key the host had before it was "reinstalled".
                    known = Path.Combine(host.Root, "old_host_key");
                    Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name + "-old", "-f", known);
                }
                knownHosts.Append($"[{host.Address}]:{Port} ").AppendLine(File.ReadAllText(known + ".pub").Trim());
                if (name == "full")
                {
                    Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", host.UploadDir);
                    host.TmpfsMounted = true;
                }
                StartSshd(host, key);
            }
            File.WriteAllText(KnownHosts, knownHosts.ToString());
            File.WriteAllText(EmptyKnownHosts, "");
            File.WriteAllText(DevicesYml, DevicesYmlText());
            foreach (var host in _hosts.Where(h => h.Sshd != null)) WaitForPort(host);
        }

        private string DevicesYmlText()
        {
            var sb = new StringBuilder("# The test fleet (SshFleet); key files are relative to this file.\ndevices:\n");
            foreach (var h in _hosts)
                sb.Append($"  {h.Name}:\n    target_abis: [arm64]\n    target_socs: {h.Soc}\n    models: {h.Models}\n")
                  .Append($"    address: {h.Address}\n    username: {User}\n    port: {Port}\n")
                  .Append("    identity_file: client_key\n    known_hosts_file: known_hosts\n")
                  .Append($"    program_path: {h.UploadDir}/{MaceInventory.ProgramFileName}\n    tuning_path: {h.UploadDir}/{MaceInventory.TuningFileName}\n")
                  .Append($"    tags: [test, {(IsBadHost(h.Name) ? "bad" : "good, lab")}]\n");
            return sb.ToString();
        }

        private void MakeNamespace(FleetHost host, string hostSide, string veth)
        {
            Run("ip", "netns", "add", host.Namespace);
            Run("ip", "link", "add", veth + "a", "type", "veth", "peer", "name", veth + "b", "netns", host.Namespace);
            Run("ip", "addr", "add", hostSide + "/29", "dev", veth + "a");
            Run("ip", "link", "set", veth + "a", "up");
            Run("ip", "-n", host.Namespace, "addr", "add", host.Address + "/29", "dev", veth + "b");
            Run("ip", "-n", host.Namespace, "link", "set", veth + "b", "up");
            Run("ip", "-n", host.Namespace, "link", "set", "lo", "up");
        }

        private void StartSshd(FleetHost host, string hostKey)
        {
            string config = Path.Combine(host.Root, "sshd_config");
            File.WriteAllText(config, string.Join("\n",
                $"Port {Port}",
                $"ListenAddress {host.Address}",
                $"HostKey {hostKey}",
                $"AuthorizedKeysFile {Path.Combine(Dir, "authorized_keys")}",
                $"PidFile {Path.Combine(host.Root, "sshd.pid")}",
                "StrictModes no",                 // the keys live under /tmp, which fails sshd's ownership check
                "UsePAM no",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "Subsystem sftp internal-sftp",
                "LogLevel INFO",
                "MaxStartups 100",
                // Hosts share this machine's file system and root's home: give each its own cache and a PATH folder of its own.
                $"SetEnv XDG_CACHE_HOME={host.CacheDir} PATH={host.BinDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "") );
            Directory.CreateDirectory(host.BinDir);
            Directory.CreateDirectory(host.CacheDir);
            // Devices run commands with a plain shell. Root's ~/.bashrc here may be slow (bash reads it for every ssh command),
            // so an empty file covers it inside sshd's own mount namespace (ip netns exec makes one; the host's file is untouched).
            string empty = Path.Combine(Dir, "empty_bashrc");
            File.WriteAllText(empty, "");
            string script = $"if [ -f /root/.bashrc ]; then mount --bind {RemoteQuote.Sh(empty)} /root/.bashrc || exit 1; fi; " +
                            $"exec /usr/sbin/sshd -D -e -f {RemoteQuote.Sh(config)}";
            var psi = LocalProcess.StartInfo("ip", new[] { "netns", "exec", host.Namespace, "sh", "-c", script });
            var p = new Process { StartInfo = psi };
            p.OutputDataReceived += (_, e) => host.AddLog(e.Data);
            p.ErrorDataReceived += (_, e) => host.AddLog(e.Data);
            p.Start();
            p.StandardInput.Close();
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            host.Sshd = p;
        }

        private static void WaitForPort(FleetHost host)
        {
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (true)
            {
                try
                {
                    using var tcp = new TcpClient();
                    if (tcp.ConnectAsync(host.Address, Port).Wait(500) && tcp.Connected) return;
                }
                catch (AggregateException) { }
                if (host.Sshd!.HasExited || DateTime.UtcNow > deadline)
                    throw new InvalidOperationException($"sshd of {host.Name} ({host.Address}:{Port}) did not start listening:\n{host.Log}");
                Thread.Sleep(50);
            }
        }

        /// <summary>A 10.x.y.0/24 that no interface of this machine uses yet (test addresses only, inside our namespaces).</summary>
        private static string FreeSubnet()
        {
            string used = Run("ip", "-4", "-o", "addr");
            var random = new Random();
            for (int tries = 0; ; tries++)
            {
                string subnet = $"10.{random.Next(100, 200)}.{random.Next(0, 256)}";
                if (!used.Contains(" " + subnet + ".")) return subnet;
                if (tries > 100) throw new InvalidOperationException("no free 10.x.y.0/24 test subnet");
            }
        }

        private static void CheckPrerequisites()
        {
            var missing = new List<string>();
            if (!File.Exists("/usr/sbin/sshd")) missing.Add("/usr/sbin/sshd (openssh-server)");
            foreach (var tool in new[] { "ssh", "ssh-keygen", "ip" })
                if (!OnPath(tool)) missing.Add($"{tool} ({(tool == "ip" ? "iproute2" : "openssh-client")})");
            if (missing.Count > 0)
                throw new InvalidOperationException("the ssh test fleet needs " + string.Join(", ", missing) +
                    ": apt-get install -y --no-install-recommends openssh-server openssh-client iproute2 (build.sh installs them)");
            if (Run("id", "-u").Trim() != "0")
                throw new InvalidOperationException("the ssh test fleet must run as root: it makes network namespaces and mounts a tmpfs");
        }

        private static bool OnPath(string tool) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));

        /// <summary>Namespaces, processes and mounts of fleets whose test process is gone (a crashed or killed run).</summary>
        private static void RemoveLeftovers()
        {
            bool Dead(string pid) => int.TryParse(pid, out int id) && id != Environment.ProcessId && !Directory.Exists("/proc/" + id);
            foreach (var line in Run("ip", "netns", "list").Split('\n'))
            {
                string ns = line.Split(' ')[0];
                if (!ns.StartsWith(Prefix, StringComparison.Ordinal)) continue;
                string pid = ns.Substring(Prefix.Length).Split('x')[0];
                if (Dead(pid)) RemoveNamespace(ns);
            }
            foreach (var mount in File.ReadAllLines("/proc/mounts").Select(l => l.Split(' ')[1]).Where(m => m.Contains("/" + DirPrefix)))
            {
                string pid = mount.Substring(mount.IndexOf(DirPrefix, StringComparison.Ordinal) + DirPrefix.Length).Split('-')[0];
                if (Dead(pid)) TryRun("umount", "-l", mount);
            }
            foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), DirPrefix + "*"))
                if (Dead(Path.GetFileName(dir).Substring(DirPrefix.Length).Split('-')[0]))
                    try { Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        /// <summary>Kills every process in the namespace by id (sshd and its sessions), then deletes it and so its veth pair.</summary>
        private static void RemoveNamespace(string ns)
        {
            foreach (var pid in (TryRun("ip", "netns", "pids", ns) ?? "").Split('\n').Select(s => s.Trim()).Where(s => s.Length > 0))
                try { Process.GetProcessById(int.Parse(pid)).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
            TryRun("ip", "netns", "del", ns);
        }

        public void Dispose()
        {
            foreach (var host in _hosts)
            {
                if (host.Sshd != null)
                {
                    try { host.Sshd.Kill(); host.Sshd.WaitForExit(5000); } catch (InvalidOperationException) { }
                    host.Sshd.Dispose();
                    host.Sshd = null;
                }
                RemoveNamespace(host.Namespace);
                if (host.TmpfsMounted) { TryRun("umount", "-l", host.UploadDir); host.TmpfsMounted = false; }
            }
            _hosts.Clear();
            try { Directory.Delete(Dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        private static string Run(string program, params string[] args)
        {
            var r = LocalProcess.Run(program, args, null, TimeSpan.FromSeconds(30));
            if (r == null || r.ExitCode != 0)
                throw new InvalidOperationException($"{program} {string.Join(" ", args)} failed ({(r == null ? "timed out" : "exit " + r.ExitCode)}): {r?.Stderr}");
            return r.Stdout;
        }

        private static string? TryRun(string program, params string[] args)
        {
            var r = LocalProcess.Run(program, args, null, TimeSpan.FromSeconds(30));
            return r != null && r.ExitCode == 0 ? r.Stdout : null;
        }
    }
}
