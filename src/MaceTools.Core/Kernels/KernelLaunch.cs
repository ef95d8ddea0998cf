using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Devices;
using MaceTools.Formats;

namespace MaceTools.Kernels
{
    /// <summary>What decides a kernel's build options beyond the op: MACE version, device traits, obfuscation.</summary>
    public sealed class KernelTarget
    {
        public KernelTarget(MaceVersion version, bool nonUniformWorkGroup, bool adreno, bool obfuscate = true)
        {
            Version = version;
            NonUniformWorkGroup = nonUniformWorkGroup;
            Adreno = adreno;
            Obfuscate = obfuscate;
        }

        public MaceVersion Version { get; }
        /// <summary>MACE passes <c>-DNON_UNIFORM_WORK_GROUP</c> (Adreno with OpenCL 2.0, by the version's rule).</summary>
        public bool NonUniformWorkGroup { get; }
        public bool Adreno { get; }
        /// <summary>MACE built with MACE_OBFUSCATE_LITERALS (the default): kernels are defined to obfuscated symbols.</summary>
        public bool Obfuscate { get; }

        public static KernelTarget For(MaceDevice device, MaceVersion? version = null, bool obfuscate = true)
        {
            var v = version ?? MaceVersion.Latest;
            return new KernelTarget(v, device.NonUniformWorkGroupFor(v), device.GpuType == MaceGpuType.Adreno, obfuscate);
        }

        /// <summary>The kernel-name define: <c>-Dname=symbol</c>.</summary>
        public string KernelDefine(string kernel) => $"-D{kernel}={Symbol(kernel)}";

        /// <summary>The name the kernel has in the built program (what clCreateKernel is given).</summary>
        public string Symbol(string kernel) => Obfuscate ? SymbolObfuscation.Obfuscate(kernel) : kernel;

        public override string ToString() => $"MACE {Version}{(NonUniformWorkGroup ? ", non-uniform work-groups" : "")}{(Adreno ? ", Adreno" : "")}{(Obfuscate ? "" : ", plain symbols")}";
    }

    public enum KernelArgKind { Image, Buffer, Int, Float, Local }

    /// <summary>One kernel argument: a tensor (image or buffer, bound by name), a scalar, or a local-memory size.</summary>
    public sealed class KernelArg
    {
        private KernelArg(KernelArgKind kind, string name) { Kind = kind; Name = name; }

        public KernelArgKind Kind { get; }
        /// <summary>The parameter name in the kernel source.</summary>
        public string Name { get; }
        /// <summary>Image and buffer arguments: the tensor bound to it.</summary>
        public string? Tensor { get; private set; }
        public ImageKind Layout { get; private set; }
        /// <summary>Image: the tensor's logical shape (for the layout); buffer: {element count}.</summary>
        public int[] Shape { get; private set; } = new int[0];
        /// <summary>The kernel writes this tensor.</summary>
        public bool IsOutput { get; private set; }
        public int IntValue { get; private set; }
        public float FloatValue { get; private set; }
        /// <summary>Local memory: bytes per work-item of the group (MACE sizes it from the local work size).</summary>
        public int LocalBytesPerItem { get; private set; }

        public static KernelArg Image(string name, string tensor, ImageKind layout, int[] shape, bool output = false) =>
            new KernelArg(KernelArgKind.Image, name) { Tensor = tensor, Layout = layout, Shape = shape, IsOutput = output };
        public static KernelArg Buffer(string name, string tensor, int count, bool output = false) =>
            new KernelArg(KernelArgKind.Buffer, name) { Tensor = tensor, Shape = new[] { count }, IsOutput = output };
        public static KernelArg Int(string name, int value) => new KernelArg(KernelArgKind.Int, name) { IntValue = value };
        public static KernelArg Float(string name, float value) => new KernelArg(KernelArgKind.Float, name) { FloatValue = value };
        public static KernelArg Local(string name, int bytesPerItem) => new KernelArg(KernelArgKind.Local, name) { LocalBytesPerItem = bytesPerItem };

        public override string ToString() => Kind switch
        {
            KernelArgKind.Image => $"{Name}={Tensor} ({Layout} [{string.Join(",", Shape)}]{(IsOutput ? ", out" : "")})",
            KernelArgKind.Buffer => $"{Name}={Tensor} (buffer [{Shape[0]}]{(IsOutput ? ", out" : "")})",
            KernelArgKind.Int => $"{Name}={IntValue}",
            KernelArgKind.Float => $"{Name}={FloatValue}",
            _ => $"{Name}=local {LocalBytesPerItem} B/item",
        };
    }

    /// <summary>MACE's default local-work-size formulas (opencl_helper.cc and the op files, v1.1.1).</summary>
    public enum LocalSizeRule { Default3D, Conv1x1, Conv3x3, ConvGeneral, Depthwise, Pooling, Softmax, Concat, ResizeBilinear, Transform, FilterTransform, FullyConnected, Reduce, Winograd, MatMul, BufferTranspose }

    /// <summary>
    /// Everything needed to run one kernel the way MACE does: program, kernel, build options (hence the program key),
    /// arguments from shapes and op parameters, global work size, the default local work size and the tuning key. The
    /// correctness tests, the benchmark, the tuner and a model runner all launch kernels from this.
    /// </summary>
    public sealed class KernelLaunch
    {
        internal KernelLaunch(string op, string program, string kernel, KernelTarget target, IEnumerable<string> options,
            long[] global, LocalSizeRule rule, string? tuningKey, IEnumerable<KernelArg> args, double flops, int ruleParameter = 0)
        {
            Op = op;
            Program = program;
            Kernel = kernel;
            Target = target;
            var opts = new List<string>(options.Where(o => o != null)) { target.KernelDefine(kernel) };
            if (target.NonUniformWorkGroup) opts.Add("-DNON_UNIFORM_WORK_GROUP");
            Options = opts.Distinct().OrderBy(o => o, StringComparer.Ordinal).ToArray();
            GlobalSize = global;
            Rule = rule;
            RuleParameter = ruleParameter;
            TuningKey = tuningKey;
            // Without non-uniform work-groups the kernels take the real global size first and skip the rounded-up items.
            var all = new List<KernelArg>();
            if (!target.NonUniformWorkGroup)
                for (int i = 0; i < global.Length; i++) all.Add(KernelArg.Int("global_size_dim" + i, (int)global[i]));
            all.AddRange(args);
            Arguments = all;
            Flops = flops;
        }

        /// <summary>The operator this launch belongs to (conv2d, pooling, …).</summary>
        public string Op { get; }
        public string Program { get; }
        public string Kernel { get; }
        public KernelTarget Target { get; }
        /// <summary>The option set in key order (the empty option, where MACE inserts one, first).</summary>
        public IReadOnlyList<string> Options { get; }
        public string ProgramKey => Formats.ProgramKey.Build(Program, Options);
        /// <summary>The options clBuildProgram gets (the key's options plus MACE's fixed flags).</summary>
        public string CompilerFlags => Formats.ProgramKey.CompilerFlags(ProgramKey);
        public string Symbol => Target.Symbol(Kernel);
        public long[] GlobalSize { get; }
        public int Dimensions => GlobalSize.Length;
        public LocalSizeRule Rule { get; }
        /// <summary>ConvGeneral: the kernel size KH·KW the formula divides by.</summary>
        public int RuleParameter { get; }
        /// <summary>MACE's plain tuning key (null where MACE does not tune the kernel).</summary>
        public string? TuningKey { get; }
        /// <summary>The key as it appears in a tuned-parameter file (obfuscated over the whole string, §4.2).</summary>
        public string? TuningFileKey => TuningKey == null ? null : Target.Obfuscate ? SymbolObfuscation.Obfuscate(TuningKey) : TuningKey;
        public IReadOnlyList<KernelArg> Arguments { get; }
        /// <summary>Floating-point operations of one launch (multiply-add = 2), for GFLOP/s figures.</summary>
        public double Flops { get; }

        public KernelArg Output => Arguments.First(a => a.IsOutput);
        public IEnumerable<KernelArg> Inputs => Arguments.Where(a => (a.Kind == KernelArgKind.Image || a.Kind == KernelArgKind.Buffer) && !a.IsOutput);

        /// <summary>MACE's default local work size for a kernel whose CL_KERNEL_WORK_GROUP_SIZE is <paramref name="kernelWorkGroupSize"/>.</summary>
        public long[] DefaultLocalSize(long kernelWorkGroupSize, long globalMemCacheSize, int computeUnits) =>
            LocalSizes.Default(Rule, GlobalSize, kernelWorkGroupSize, globalMemCacheSize, computeUnits, RuleParameter);

        /// <summary>The global size actually enqueued: rounded up to the local size unless the device has non-uniform work-groups.</summary>
        public long[] EnqueuedGlobalSize(long[] local)
        {
            if (Target.NonUniformWorkGroup) return GlobalSize;
            return GlobalSize.Select((g, i) => local[i] <= 0 ? g : (g + local[i] - 1) / local[i] * local[i]).ToArray();
        }

        public override string ToString() => $"{Kernel} [{string.Join(",", GlobalSize)}] {ProgramKey}";
    }

    /// <summary>The default local-work-size formulas, in MACE's unsigned 32-bit arithmetic (mace-formats.md §3.6).</summary>
    public static class LocalSizes
    {
        private const uint BaseCache = 16384;

        public static long[] Default(LocalSizeRule rule, long[] global, long kwgLong, long cacheLong, int cuInt, int kernelSize = 0)
        {
            uint kwg = (uint)Math.Min(kwgLong, uint.MaxValue), cache = (uint)Math.Min(cacheLong, uint.MaxValue), cu = (uint)Math.Max(cuInt, 1);
            if (rule == LocalSizeRule.Transform) return new[] { (long)kwg, 1 };
            if (rule == LocalSizeRule.FilterTransform) return new[] { 16L, Math.Max(kwg / 16, 1) };
            // Winograd input and inverse transforms {kwg/8, 8}; their matmul {kwg/64, 64} (winograd_conv2d.cc). MACE does
            // not clamp the first size; it is kept at least 1 here.
            if (rule == LocalSizeRule.Winograd) return new[] { Math.Max(kwg / 8, 1), 8L };
            if (rule == LocalSizeRule.MatMul) return new[] { Math.Max(kwg / 64, 1), 64L };
            if (rule == LocalSizeRule.Reduce) return new[] { global[0], global[1], 1L };
            // buffer::TransposeKernel: {4, 4, 4}, each clamped to the global size.
            if (rule == LocalSizeRule.BufferTranspose) return global.Select(g => Math.Min(4L, g)).ToArray();
            if (rule == LocalSizeRule.FullyConnected)
                return new[] { global[0], global[1], Math.Max(kwg / (uint)(global[0] * global[1]), 1) };
            if (kwg == 0) return new long[] { 1, 1, 1 };
            uint g0 = (uint)global[0], g1 = (uint)global[1], g2 = (uint)global[2];
            uint l0, l1, l2, s;
            uint baseSize = Math.Max(cache / BaseCache, 1);
            switch (rule)
            {
                case LocalSizeRule.Default3D:
                    l1 = Math.Min(g1, kwg);
                    l2 = Math.Min(Math.Min(g2, baseSize), kwg / l1);
                    l0 = Math.Max(Math.Min(baseSize, kwg / (l1 * l2)), 1);
                    l0 = Math.Min(l0, g0);
                    break;
                case LocalSizeRule.Conv1x1:
                    l1 = Math.Min(g1, kwg);
                    if (l1 >= baseSize) l0 = Math.Min(g0, baseSize);
                    else if (l1 > 1 && g0 >= 128) l0 = Math.Min(g0, baseSize);
                    else { l0 = g0 / 8; if (l0 < baseSize) l0 = Math.Max(g0 / 4, baseSize); }
                    l0 = Math.Min(l0, kwg / l1);
                    s = l0 * l1;
                    l2 = Math.Min(cache / 192 / s / cu * 8, g2);
                    if (l2 == 0) l2 = Math.Min(g2, baseSize);
                    l2 = Math.Max(Math.Min(l2, kwg / s), 1);
                    break;
                case LocalSizeRule.Conv3x3:
                {
                    uint cu2 = Math.Max(cu / 2, 1);
                    uint b = Math.Max(Math.Min(cache / BaseCache, 4), 1);
                    l1 = Math.Min(g1, kwg);
                    l0 = Math.Min(Math.Min(g0, b), kwg / l1);
                    s = l0 * l1;
                    l2 = Math.Min(RoundUp(cache / 224 / s / cu2, b), g2);
                    if (l2 == 0) l2 = Math.Min(g2, b);
                    l2 = Math.Max(Math.Min(l2, kwg / s), 1);
                    break;
                }
                case LocalSizeRule.ConvGeneral:
                {
                    uint ksize = (uint)Math.Max(kernelSize, 1);
                    l1 = Math.Min(g1, kwg);
                    l0 = g0 / 4;
                    if (l0 == 0) l0 = g0;
                    l0 = Math.Min(l0, kwg / l1);
                    s = l0 * l1;
                    l2 = Math.Min(cache / 192 / ksize / s / cu * 8, g2);
                    if (l2 == 0) l2 = g2 < 20 ? g2 : baseSize;
                    l2 = Math.Max(Math.Min(l2, kwg / s), 1);
                    break;
                }
                case LocalSizeRule.Depthwise:
                {
                    uint b = cache / BaseCache; // not clamped to 1 here, as in MACE
                    l1 = Math.Min(g1, kwg);
                    if (l1 >= b) l0 = Math.Min(g0, b);
                    else
                    {
                        l0 = Math.Min(g0 / 8, kwg / l1);
                        if (l0 < b) l0 = Math.Min(Math.Max(g0 / 4, b), kwg / l1);
                    }
                    l0 = Math.Max(Math.Min(l0, kwg / l1), 1);
                    s = l0 * l1;
                    l2 = Math.Min(cache / 144 / s * 4, g2);
                    if (l2 == 0) l2 = g2;
                    l2 = Math.Max(Math.Min(l2, kwg / s), 1);
                    break;
                }
                case LocalSizeRule.Pooling:
                    l1 = Math.Min(g1, kwg);
                    l2 = Math.Min(Math.Min(g2, baseSize), kwg / l1);
                    s = l1 * l2;
                    l0 = g0 / 4;
                    if (l0 == 0) l0 = g0;
                    l0 = Math.Max(Math.Min(l0, kwg / s), 1);
                    break;
                case LocalSizeRule.Softmax:
                    l1 = Math.Min(g1, kwg);
                    l0 = g0 < baseSize ? g0 : g0 / baseSize;
                    l0 = Math.Min(l0, kwg / l1);
                    l2 = Math.Max(Math.Min(g2, kwg / (l0 * l1)), 1);
                    break;
                case LocalSizeRule.Concat:
                    l1 = Math.Min(g1, kwg);
                    l0 = Math.Min(baseSize, kwg / l1);
                    l2 = Math.Max(Math.Min(baseSize, kwg / (l0 * l1)), 1);
                    break;
                case LocalSizeRule.ResizeBilinear:
                    l1 = Math.Min(g1, kwg);
                    if (l1 >= baseSize) l0 = Math.Min(g0, baseSize);
                    else { l0 = g0 / 8; if (l0 == 0) l0 = g0; }
                    l0 = Math.Min(l0, kwg / l1);
                    s = l0 * l1;
                    l2 = g2 / 8;
                    if (l2 == 0) l2 = g2;
                    l2 = Math.Max(Math.Min(l2, kwg / s), 1);
                    break;
                default: throw new ArgumentOutOfRangeException(nameof(rule));
            }
            return new long[] { l0, l1, l2 };
        }

        private static uint RoundUp(uint v, uint m) => m == 0 ? v : (v + m - 1) / m * m;
    }
}
