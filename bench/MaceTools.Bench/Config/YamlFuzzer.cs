using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using MaceTools.Formats;
using MaceTools.Remote;
using YamlDotNet.RepresentationModel;

namespace MaceTools.Config
{
    /// <summary>Which reader <see cref="YamlFuzzer"/> drives.</summary>
    public enum YamlFuzzTarget
    {
        /// <summary>The deployment-file reader (mace.yml): findings, never an exception.</summary>
        Config,
        /// <summary>The inventory reader (devices.yml): devices, or a <see cref="MaceConfigException"/>.</summary>
        Inventory,
    }

    /// <summary>A case that hung (over <see cref="YamlFuzzer.HangMilliseconds"/>), threw something other than a MaceException, or gave a finding without a place.</summary>
    public sealed class YamlFuzzFailure
    {
        internal YamlFuzzFailure(int caseNumber, string kind, string mutation, string message, string input)
        {
            CaseNumber = caseNumber; Kind = kind; Mutation = mutation; Message = message; Input = input;
        }

        /// <summary>The case number: <c>Run(target, seeds, n, seed)</c> reproduces it for any n above it.</summary>
        public int CaseNumber { get; }
        /// <summary><c>hang</c>, <c>unhandled</c> or <c>no-position</c>.</summary>
        public string Kind { get; }
        public string Mutation { get; }
        public string Message { get; }
        /// <summary>The input, cut at 2,000 characters.</summary>
        public string Input { get; }
        public override string ToString() => $"case {CaseNumber} ({Mutation}): {Kind}: {Message}";
    }

    public sealed class YamlFuzzReport
    {
        public YamlFuzzTarget Target { get; internal set; }
        public int Seeds { get; internal set; }
        public int Seed { get; internal set; }
        /// <summary>Cases run (fewer than asked only when a time budget ran out or a case never returned).</summary>
        public int Cases { get; internal set; }
        /// <summary>Cases the reader accepted without an error.</summary>
        public int Accepted { get; internal set; }
        /// <summary>Cases the reader refused with its own error (findings, a MaceException).</summary>
        public int Rejected { get; internal set; }
        /// <summary>Cases that took longer than <see cref="YamlFuzzer.HangMilliseconds"/>.</summary>
        public int Hangs { get; internal set; }
        /// <summary>Cases that threw anything but a MaceException.</summary>
        public int Unhandled { get; internal set; }
        /// <summary>Findings or errors without a line and column of at least 1.</summary>
        public int WithoutPosition { get; internal set; }
        /// <summary>Cases refused for a bound of BoundedYaml (alias expansion, depth).</summary>
        public int BoundHits { get; internal set; }
        public double SlowestMilliseconds { get; internal set; }
        /// <summary>The slowest case's number and mutations.</summary>
        public string SlowestCase { get; internal set; } = "";
        public TimeSpan Elapsed { get; internal set; }
        public IReadOnlyDictionary<string, int> MutationCounts { get; internal set; } = new Dictionary<string, int>();
        /// <summary>The first failures, by case number.</summary>
        public IReadOnlyList<YamlFuzzFailure> Failures { get; internal set; } = Array.Empty<YamlFuzzFailure>();
        public int FailureCount => Hangs + Unhandled + WithoutPosition;

        public override string ToString() =>
            $"{Target}: {Cases:N0} cases from {Seeds} seeds (seed {Seed}) in {Elapsed.TotalSeconds:F1} s: {Accepted:N0} accepted, {Rejected:N0} rejected " +
            $"({BoundHits:N0} by a YAML bound); {Hangs} hangs (> {YamlFuzzer.HangMilliseconds} ms), {Unhandled} unhandled exceptions, " +
            $"{WithoutPosition} findings without a position; slowest case {SlowestMilliseconds:F0} ms ({SlowestCase})";
    }

    /// <summary>
    /// Structure-aware fuzzing of the YAML readers. Each case parses a seed, changes its tree (values swapped for hostile
    /// ones, types changed, keys dropped, duplicated or added from the schema, anchors, aliases and merge keys added, an
    /// alias bomb or deep nesting grafted in), writes it back and sometimes damages the text (tabs, quotes, brackets, cuts).
    /// Every case is derived from (seed, case number) alone, so a failure is reproduced by its number.
    /// </summary>
    public static class YamlFuzzer
    {
        public const int HangMilliseconds = 1000;
        /// <summary>A case still running after this long is given up: the run stops and reports it as a hang.</summary>
        private const int AbandonMilliseconds = 20_000;
        private const int MaxFailuresKept = 100;

        /// <summary>MACE's demo inventory, an adb device, defaults merged with &lt;&lt;, and every key MaceTools adds.</summary>
        public static readonly string[] InventorySeeds =
        {
            "# one yaml config file can contain multi device info\ndevices:\n  # The name of the device\n  nanopi:\n  # arm64 or armhf\n" +
            "    target_abis: [arm64, armhf]\n  # device soc, you can get it from device manual\n    target_socs: RK3399\n    models: FriendlyElec Nanopi M4\n" +
            "    address: 10.0.0.0\n    username: user\n  raspberry:\n    target_abis: [armv7l]\n    target_socs: BCM2837\n" +
            "    models: Raspberry Pi 3 Model B Plus Rev 1.3\n    address: 10.0.0.1\n    username: user\n",
            "devices:\n  phone:\n    transport: adb\n    serial: 0123456789ABCDEF\n    models: Mi 9\n    target_abis: [arm64-v8a]\n    target_socs: sdm855\n" +
            "    program_path: /data/local/tmp/mace_run/interior/mace_cl_compiled_program.bin\n    tags: [android, adreno]\n",
            "defaults: &defaults\n  username: pi\n  port: 2222\n  identity_file: keys/id_ed25519\n  known_hosts_file: keys/known_hosts\n" +
            "devices:\n  pi1:\n    <<: *defaults\n    address: 192.168.1.10\n    tags: [lab]\n  pi2:\n    <<: [*defaults]\n    address: pi2.local\n" +
            "    device_name: Pi2\n    system: arm_linux\n    ssh_config: ssh_config\n    tuning_path: /tmp/mace_run.config\n",
        };

        /// <summary>The deployment files in examples/ (mace-yml and paddleocr) beside or above <paramref name="start"/>.</summary>
        public static IReadOnlyList<string> ExampleConfigs(string start)
        {
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
            {
                string examples = Path.Combine(d.FullName, "examples");
                if (Directory.Exists(Path.Combine(examples, "mace-yml")))
                    return Directory.GetFiles(examples, "*.yml", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal).ToList();
            }
            return Array.Empty<string>();
        }

        public static YamlFuzzReport Run(YamlFuzzTarget target, IReadOnlyList<string> seeds, int cases, int seed, int degreeOfParallelism, TimeSpan? budget = null)
        {
            if (seeds.Count == 0) throw new ArgumentException("at least one seed is needed", nameof(seeds));
            int workers = Math.Max(1, Math.Min(degreeOfParallelism, Math.Max(1, cases)));
            var state = new Worker[workers];
            int next = 0;
            var sw = Stopwatch.StartNew();
            var threads = new Thread[workers];
            for (int w = 0; w < workers; w++)
            {
                var worker = state[w] = new Worker(target, seeds, seed);
                threads[w] = new Thread(() =>
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next) - 1) < cases && !worker.Stop)
                    {
                        if (budget.HasValue && sw.Elapsed > budget.Value) break;
                        worker.RunCase(i);
                    }
                }, 16 << 20) { IsBackground = true, Name = "yaml-fuzz-" + w };
                threads[w].Start();
            }
            // The watchdog: a case that never returns is reported, and the run ends without it.
            bool abandoned = false;
            while (threads.Any(t => t.IsAlive))
            {
                Thread.Sleep(50);
                foreach (var worker in state)
                {
                    long started = Interlocked.Read(ref worker.CaseStartedTicks);
                    if (started > 0 && Stopwatch.GetTimestamp() - started > AbandonMilliseconds * (Stopwatch.Frequency / 1000))
                    {
                        worker.Abandon();
                        abandoned = true;
                    }
                }
                if (abandoned && state.All(s => s.Stop || !threads[Array.IndexOf(state, s)].IsAlive)) break;
            }
            sw.Stop();

            var report = new YamlFuzzReport { Target = target, Seeds = seeds.Count, Seed = seed, Elapsed = sw.Elapsed };
            var mutations = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var failures = new List<YamlFuzzFailure>();
            foreach (var s in state)
            {
                lock (s)
                {
                    report.Cases += s.Cases;
                    report.Accepted += s.Accepted;
                    report.Rejected += s.Rejected;
                    report.Hangs += s.Hangs;
                    report.Unhandled += s.Unhandled;
                    report.WithoutPosition += s.WithoutPosition;
                    report.BoundHits += s.BoundHits;
                    if (s.Slowest > report.SlowestMilliseconds) (report.SlowestMilliseconds, report.SlowestCase) = (s.Slowest, s.SlowestCase);
                    failures.AddRange(s.Failures);
                    foreach (var kv in s.Mutations) mutations[kv.Key] = (mutations.TryGetValue(kv.Key, out int n) ? n : 0) + kv.Value;
                }
            }
            report.MutationCounts = mutations;
            report.Failures = failures.OrderBy(f => f.CaseNumber).Take(MaxFailuresKept).ToList();
            return report;
        }

        // ------------------------------------------------------------------ one worker (one thread)

        private sealed class Worker
        {
            private readonly YamlFuzzTarget _target;
            private readonly IReadOnlyList<string> _seeds;
            private readonly int _seed;
            private readonly MaceConfigReader _reader = new MaceConfigReader { Environment = name => name == "SET" ? "value" : null };
            private readonly List<string> _applied = new List<string>();
            private readonly List<(string Placeholder, string Text)> _bombs = new List<(string, string)>();
            private int _case;
            private string _input = "";

            public int Cases, Accepted, Rejected, Hangs, Unhandled, WithoutPosition, BoundHits;
            public double Slowest;
            public string SlowestCase = "";
            public long CaseStartedTicks;
            public volatile bool Stop;
            public readonly List<YamlFuzzFailure> Failures = new List<YamlFuzzFailure>();
            public readonly Dictionary<string, int> Mutations = new Dictionary<string, int>(StringComparer.Ordinal);

            public Worker(YamlFuzzTarget target, IReadOnlyList<string> seeds, int seed)
            {
                _target = target; _seeds = seeds; _seed = seed;
            }

            /// <summary>Called by the watchdog: the running case is a hang, and this worker takes no more.</summary>
            public void Abandon()
            {
                lock (this)
                {
                    if (Stop) return;
                    Stop = true;
                    Cases++;
                    Hangs++;
                    Fail("hang", $"still running after {AbandonMilliseconds} ms: abandoned");
                }
            }

            public void RunCase(int caseNumber)
            {
                var rng = new CodecFuzzer.Rng(_seed, caseNumber);
                _case = caseNumber;
                _applied.Clear();
                string text = Mutate(_seeds[caseNumber % _seeds.Count], ref rng);
                _input = text;
                long start = Stopwatch.GetTimestamp();
                Interlocked.Exchange(ref CaseStartedTicks, start);
                string? unhandled = null, noPosition = null;
                bool rejected = false, bound = false;
                try
                {
                    if (_target == YamlFuzzTarget.Config)
                    {
                        var result = _reader.ReadText(text, "fuzz/mace.yml");
                        rejected = result.HasErrors;
                        foreach (var f in result.Findings)
                        {
                            if (f.Line < 1 || f.Column < 1) noPosition ??= f.ToString();
                            if (f.Message.Contains("with every alias expanded") || f.Message.Contains("nesting deeper than")) bound = true;
                        }
                        if (result.Config == null && !result.HasErrors) noPosition ??= "no configuration and no error";
                    }
                    else
                    {
                        foreach (var d in MaceInventory.Parse(text, "fuzz/devices.yml")) _ = d.Display;
                    }
                }
                catch (MaceConfigException e)
                {
                    rejected = true;
                    if (e.Line < 1 || e.Column < 1) noPosition = e.Message;
                    bound = e.Message.Contains("with every alias expanded") || e.Message.Contains("nesting deeper than");
                }
                catch (MaceException)
                {
                    rejected = true;
                }
                catch (Exception e)
                {
                    unhandled = e.GetType().FullName + ": " + e.Message;
                }
                double ms = (Stopwatch.GetTimestamp() - start) * 1000.0 / Stopwatch.Frequency;
                Interlocked.Exchange(ref CaseStartedTicks, 0);
                lock (this)
                {
                    if (Stop) return;
                    Cases++;
                    if (ms > Slowest) (Slowest, SlowestCase) = (ms, $"case {caseNumber}: {string.Join(" + ", _applied)}");
                    if (ms > HangMilliseconds) { Hangs++; Fail("hang", $"took {ms:F0} ms"); }
                    if (unhandled != null) { Unhandled++; Fail("unhandled", unhandled); }
                    else if (noPosition != null) { WithoutPosition++; Fail("no-position", noPosition); }
                    else if (rejected) Rejected++;
                    else Accepted++;
                    if (bound) BoundHits++;
                }
            }

            private void Fail(string kind, string message)
            {
                if (Failures.Count < MaxFailuresKept)
                    Failures.Add(new YamlFuzzFailure(_case, kind, string.Join(" + ", _applied), message, _input.Length > 2000 ? _input.Substring(0, 2000) : _input));
            }

            private void Note(string mutation)
            {
                _applied.Add(mutation);
                string name = mutation.Split(' ', '@')[0];
                Mutations[name] = (Mutations.TryGetValue(name, out int n) ? n : 0) + 1;
            }

            // -------------------------------------------------------------- mutations

            private static readonly string[] HostileValues =
            {
                "", "~", "null", "-1", "0", "1e999", "NaN", ".inf", "-2147483649", "99999999999999999999", "0x7fffffff", "true", "off",
                "${SET}", "${UNSET}", "${", "$", "../../escaped", "/abs/path", "a/b", "..", "C:\\x", "\t", " ", "\u0000", "\uFEFF", "é🙂",
                "[", "]", "{", "}", "&a", "*a", "<<", "- x", "key: value", "'", "\"", "#", "|", ">", "%YAML 1.1", "---", "...",
                "1,2,3", "1,224,224,3", ",,,", "1,-1", "1.5,2", "arm64-v8a", "armeabi-v7a", "host", "cpu+gpu", "gpu", "onnx", "caffe", "file",
                "code", "image", "buffer", "fp16_fp32", "https://example.invalid/m.onnx", "0000000000000000000000000000000000000000000000000000000000000000",
            };

            private static readonly string[] Keys =
                ConfigSchema.TopLevelKeys.Concat(ConfigSchema.ModelKeys).Concat(ConfigSchema.SubgraphKeys).Concat(MaceInventory.AllowedKeys)
                    .Concat(new[] { "models", "subgraphs", "devices", "graphs", "<<", "unknown_key" }).Distinct().ToArray();

            private const string Alphabet = " \n\t:-[]{},'\"&*!|>#%@`?~0123456789abcxyz.${}<";

            private string Mutate(string seedText, ref CodecFuzzer.Rng rng)
            {
                string text = seedText;
                _bombs.Clear();
                if (rng.Next(10) < 8)
                {
                    try
                    {
                        var stream = new YamlStream();
                        stream.Load(new StringReader(seedText));
                        if (stream.Documents.Count > 0)
                        {
                            var nodes = new List<(YamlNode Node, YamlNode? Parent)>();
                            Collect(stream.Documents[0].RootNode, null, nodes, 0);
                            int n = 1 + rng.Next(3);
                            for (int i = 0; i < n; i++) MutateTree(stream.Documents[0].RootNode, nodes, ref rng);
                            var sb = new StringWriter();
                            stream.Save(sb, assignAnchors: true); // shared nodes become anchors and aliases
                            text = sb.ToString();
                            foreach (var (placeholder, bomb) in _bombs) text = text.Replace(placeholder, bomb);
                        }
                    }
                    catch (Exception e) when (!(e is OutOfMemoryException))
                    {
                        // A tree the emitter cannot write: keep the seed and damage its text instead.
                        Note("tree-unwritable");
                        text = seedText;
                    }
                }
                if (rng.Next(10) < 4 || text == seedText) text = MutateText(text, ref rng);
                return text;
            }

            private static void Collect(YamlNode node, YamlNode? parent, List<(YamlNode, YamlNode?)> into, int depth)
            {
                if (depth > 200 || into.Count > 5000) return;
                into.Add((node, parent));
                if (node is YamlMappingNode map)
                    foreach (var kv in map.Children.ToList()) Collect(kv.Value, node, into, depth + 1);
                else if (node is YamlSequenceNode seq)
                    foreach (var c in seq.Children.ToList()) Collect(c, node, into, depth + 1);
            }

            private YamlNode HostileScalar(ref CodecFuzzer.Rng rng)
            {
                if (rng.Next(20) == 0) return new YamlScalarNode(new string('x', 1 + rng.Next(100_000)));
                return new YamlScalarNode(HostileValues[rng.Next(HostileValues.Length)]);
            }

            private YamlNode RandomNode(ref CodecFuzzer.Rng rng, int depth = 0)
            {
                switch (depth > 3 ? 0 : rng.Next(4))
                {
                    case 1:
                    {
                        var seq = new YamlSequenceNode();
                        for (int i = rng.Next(4); i > 0; i--) seq.Add(RandomNode(ref rng, depth + 1));
                        return seq;
                    }
                    case 2:
                    {
                        var map = new YamlMappingNode();
                        for (int i = rng.Next(4); i > 0; i--)
                        {
                            var key = new YamlScalarNode(Keys[rng.Next(Keys.Length)]);
                            if (!map.Children.ContainsKey(key)) map.Add(key, RandomNode(ref rng, depth + 1));
                        }
                        return map;
                    }
                    default:
                        return HostileScalar(ref rng);
                }
            }

            /// <summary>
            /// An alias bomb in flow style, <paramref name="levels"/> levels of <paramref name="width"/> aliases each:
            /// <c>[&amp;fz0 [lol, lol], &amp;fz1 [*fz0, *fz0], …]</c>, or with merge keys
            /// <c>{&lt;&lt;: [&amp;fz0 {address: …}, &amp;fz1 {&lt;&lt;: [*fz0, *fz0]}, …]}</c>. Grafted in as text: YamlDotNet's
            /// emitter hashes shared nodes structurally, which for a bomb never ends.
            /// </summary>
            private static string Bomb(int levels, int width, bool merge)
            {
                var parts = new List<string> { merge ? "&fz0 {address: 10.0.0.1, username: pi}" : "&fz0 [" + string.Join(", ", Enumerable.Repeat("lol", width)) + "]" };
                for (int l = 1; l <= levels; l++)
                {
                    string aliases = string.Join(", ", Enumerable.Repeat($"*fz{l - 1}", width));
                    parts.Add(merge ? $"&fz{l} {{<<: [{aliases}]}}" : $"&fz{l} [{aliases}]");
                }
                return merge ? "{<<: [" + string.Join(", ", parts) + "]}" : "[" + string.Join(", ", parts) + "]";
            }

            private void MutateTree(YamlNode root, List<(YamlNode Node, YamlNode? Parent)> nodes, ref CodecFuzzer.Rng rng)
            {
                var (target, parent) = nodes[rng.Next(nodes.Count)];
                int roll = rng.Next(100);
                if (roll < 25) Replace(target, parent, HostileScalar(ref rng), "hostile-value");
                else if (roll < 37) Replace(target, parent, RandomNode(ref rng), "retype");
                else if (roll < 47) Remove(target, parent);
                else if (roll < 60) AddKey(nodes, ref rng);
                else if (roll < 70)
                {
                    // an alias: the same node object placed again (the emitter writes an anchor and an alias)
                    var (other, _) = nodes[rng.Next(nodes.Count)];
                    if (other is YamlScalarNode) Replace(target, parent, other, "alias");
                    else if (!Contains(other, target)) Replace(target, parent, other, "alias");
                }
                else if (roll < 78)
                {
                    // a merge key pulling in another mapping
                    var maps = nodes.Where(x => x.Node is YamlMappingNode).ToList();
                    if (maps.Count < 2) return;
                    var into = (YamlMappingNode)maps[rng.Next(maps.Count)].Node;
                    var from = (YamlMappingNode)maps[rng.Next(maps.Count)].Node;
                    if (ReferenceEquals(into, from) || Contains(from, into)) return;
                    into.Children[new YamlScalarNode("<<")] = rng.Next(2) == 0 ? from : new YamlSequenceNode(from, from);
                    Note("merge-key");
                }
                else if (roll < 86)
                {
                    int levels = 1 + rng.Next(9), width = 2 + rng.Next(9);
                    bool merge = rng.Next(2) == 0;
                    string placeholder = "fuzzbomb" + _bombs.Count;
                    _bombs.Add((placeholder, Bomb(levels, width, merge)));
                    Replace(target, parent, new YamlScalarNode(placeholder), $"bomb {(merge ? "merge" : "alias")} {width}^{levels}");
                }
                else if (roll < 92)
                {
                    int depth = 1 + rng.Next(rng.Next(4) == 0 ? 150 : 20);
                    YamlNode deep = HostileScalar(ref rng);
                    for (int i = 0; i < depth; i++)
                        deep = rng.Next(2) == 0 ? new YamlSequenceNode(deep) : (YamlNode)new YamlMappingNode { { Keys[rng.Next(Keys.Length)], deep } };
                    Replace(target, parent, deep, $"nest {depth}");
                }
                else
                {
                    // duplicate a sequence item or copy a mapping under a new key
                    if (parent is YamlSequenceNode seq) { seq.Children.Insert(rng.Next(seq.Children.Count + 1), target); Note("duplicate-item"); }
                    else AddKey(nodes, ref rng);
                }
            }

            private static bool Contains(YamlNode outer, YamlNode inner)
            {
                if (ReferenceEquals(outer, inner)) return true;
                var stack = new Stack<YamlNode>();
                var seen = new HashSet<YamlNode>(ReferenceEqualityComparer.Instance);
                stack.Push(outer);
                while (stack.Count > 0)
                {
                    var n = stack.Pop();
                    if (!seen.Add(n)) continue;
                    if (ReferenceEquals(n, inner)) return true;
                    if (n is YamlMappingNode m) foreach (var kv in m.Children) { stack.Push(kv.Key); stack.Push(kv.Value); }
                    else if (n is YamlSequenceNode s) foreach (var c in s.Children) stack.Push(c);
                }
                return false;
            }

            private void AddKey(List<(YamlNode Node, YamlNode? Parent)> nodes, ref CodecFuzzer.Rng rng)
            {
                var maps = nodes.Where(x => x.Node is YamlMappingNode).ToList();
                if (maps.Count == 0) return;
                var map = (YamlMappingNode)maps[rng.Next(maps.Count)].Node;
                string key = Keys[rng.Next(Keys.Length)];
                map.Children[new YamlScalarNode(key)] = RandomNode(ref rng);
                Note("add-key " + key);
            }

            private void Replace(YamlNode target, YamlNode? parent, YamlNode with, string mutation)
            {
                if (parent is YamlMappingNode map)
                {
                    foreach (var key in map.Children.Where(kv => ReferenceEquals(kv.Value, target)).Select(kv => kv.Key).ToList())
                        map.Children[key] = with;
                }
                else if (parent is YamlSequenceNode seq)
                {
                    for (int i = 0; i < seq.Children.Count; i++)
                        if (ReferenceEquals(seq.Children[i], target)) seq.Children[i] = with;
                }
                else return; // the root: kept
                Note(mutation);
            }

            private void Remove(YamlNode target, YamlNode? parent)
            {
                if (parent is YamlMappingNode map)
                {
                    foreach (var key in map.Children.Where(kv => ReferenceEquals(kv.Value, target)).Select(kv => kv.Key).ToList()) map.Children.Remove(key);
                    Note("remove-key");
                }
                else if (parent is YamlSequenceNode seq)
                {
                    for (int i = seq.Children.Count - 1; i >= 0; i--)
                        if (ReferenceEquals(seq.Children[i], target)) seq.Children.RemoveAt(i);
                    Note("remove-item");
                }
            }

            private string MutateText(string text, ref CodecFuzzer.Rng rng)
            {
                var sb = new StringBuilder(text);
                int n = 1 + rng.Next(4);
                for (int m = 0; m < n && sb.Length > 0; m++)
                {
                    int at = rng.Next(sb.Length);
                    switch (rng.Next(6))
                    {
                        case 0: sb[at] = Alphabet[rng.Next(Alphabet.Length)]; Note("char-set"); break;
                        case 1: sb.Remove(at, Math.Min(1 + rng.Next(12), sb.Length - at)); Note("char-cut"); break;
                        case 2: sb.Insert(at, Alphabet[rng.Next(Alphabet.Length)]); Note("char-insert"); break;
                        case 3:
                        {
                            // a tab at the start of a line, where YAML forbids one
                            int line = text.LastIndexOf('\n', Math.Max(0, Math.Min(at, text.Length - 1)));
                            sb.Insert(Math.Min(sb.Length, line + 1), '\t');
                            Note("tab-indent");
                            break;
                        }
                        case 4: sb.Length = at; Note("truncate"); break;
                        default: sb.Insert(at, HostileValues[rng.Next(HostileValues.Length)]); Note("text-insert"); break;
                    }
                }
                return sb.ToString();
            }
        }
    }
}
