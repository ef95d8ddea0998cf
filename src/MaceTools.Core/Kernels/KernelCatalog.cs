using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using MaceTools.Formats;

namespace MaceTools.Kernels
{
    /// <summary>
    /// One kernel of a kernel library, as Get-MaceKernel and <c>macetools kernel list</c> show it: where it lives, the op it
    /// serves, the build options it understands, and the names and hashes MACE derives from it.
    /// </summary>
    public sealed class MaceKernelDefinition
    {
        internal MaceKernelDefinition(KernelCatalogEntry entry, string programHash, string sourceHash, string origin, MaceVersion version)
        {
            Program = entry.Program;
            Kernel = entry.Kernel;
            Op = entry.Op;
            Options = entry.Options.ToArray();
            Symbol = SymbolObfuscation.Obfuscate(entry.Kernel);
            CommonOptions = KernelCatalog.CommonOptionsOf(entry.Kernel);
            ProgramHash = programHash;
            SourceHash = sourceHash;
            Origin = origin;
            MaceVersion = version.Text;
            Description = entry.Description;
        }

        /// <summary>The program (the .cl file's stem, the first word of a program key), e.g. conv_2d_1x1.</summary>
        public string Program { get; }
        /// <summary>The kernel function's name in the source, e.g. conv_2d_1x1.</summary>
        public string Kernel { get; }
        /// <summary>The MACE op the kernel serves: conv2d, depthwise_conv2d, pooling, …, buffer_to_image, image_to_buffer.</summary>
        public string Op { get; }
        /// <summary>
        /// The op-specific build options MACE passes to the kernel and the kernel honours: a flag (<c>-DBIAS</c>) or a
        /// define with its values (<c>-DELTWISE_TYPE=0..15</c>, <c>-DSTRIDE=n</c>).
        /// </summary>
        public string[] Options { get; }
        /// <summary>The options every kernel takes: data type, non-uniform work-groups, out-of-range checks, and the
        /// kernel-name define <c>-D&lt;kernel&gt;=&lt;symbol&gt;</c>.</summary>
        public string[] CommonOptions { get; }
        /// <summary>The kernel's name in a MACE build with obfuscated literals (the default): what clCreateKernel is given.</summary>
        public string Symbol { get; }
        /// <summary>MACE v1.1.1's <c>program_hash_</c> value for the program (<see cref="KernelSourceSet.HashStr"/>).</summary>
        public string ProgramHash { get; }
        /// <summary>SHA-256 of the program's source as <see cref="MaceVersion"/> assembles it (<see cref="KernelSourceSet.SourceHash"/>).</summary>
        public string SourceHash { get; }
        /// <summary>"builtin", or the directory the sources came from.</summary>
        public string Origin { get; }
        /// <summary>The MACE version <see cref="SourceHash"/> was computed for.</summary>
        public string MaceVersion { get; }
        /// <summary>One line on what the kernel computes.</summary>
        public string Description { get; }

        public override string ToString() => Program + "/" + Kernel;
    }

    /// <summary>A row of the hand-written catalog: a kernel of the library and what it understands.</summary>
    public sealed class KernelCatalogEntry
    {
        internal KernelCatalogEntry(string program, string kernel, string op, string[] options, string description)
        {
            Program = program;
            Kernel = kernel;
            Op = op;
            Options = Array.AsReadOnly(options);
            Description = description;
        }

        public string Program { get; }
        public string Kernel { get; }
        public string Op { get; }
        public IReadOnlyList<string> Options { get; }
        public string Description { get; }

        public override string ToString() => Program + "/" + Kernel;
    }

    /// <summary>What <see cref="KernelCatalog.Survey"/> found in a source set.</summary>
    public sealed class KernelSurvey
    {
        internal KernelSurvey(IReadOnlyList<MaceKernelDefinition> kernels, IReadOnlyList<KernelCatalogEntry> missing, IReadOnlyList<string> unknown)
        {
            Kernels = kernels;
            Missing = missing;
            Unknown = unknown;
        }

        /// <summary>The catalog's kernels that the sources define, sorted by program then kernel (ordinal).</summary>
        public IReadOnlyList<MaceKernelDefinition> Kernels { get; }
        /// <summary>Kernels the catalog lists for a program the sources have, but which that program's source does not define.</summary>
        public IReadOnlyList<KernelCatalogEntry> Missing { get; }
        /// <summary>"program/kernel" of each kernel the sources define and the catalog does not know (nothing is known of its options).</summary>
        public IReadOnlyList<string> Unknown { get; }
    }

    /// <summary>
    /// The kernels of MaceTools' OpenCL library (Kernels/cl), written down by hand: program, kernel, op, the op-specific
    /// build options each honours (those <see cref="KernelOps"/> passes, with MACE's names) and a one-line description.
    /// The tests hold it to the sources: every <c>__kernel void</c> is listed and every listed option occurs in the text.
    /// </summary>
    public static class KernelCatalog
    {
        private static readonly string[] Activations =
        {
            "-DUSE_RELU", "-DUSE_RELUX", "-DUSE_PRELU", "-DUSE_TANH", "-DUSE_SIGMOID", "-DUSE_LEAKYRELU", "-DUSE_ELU",
            "-DUSE_HARDSIGMOID", "-DUSE_HARDSWISH",
        };

        /// <summary>The options every kernel takes, without the kernel-name define (see <see cref="CommonOptionsOf"/>).</summary>
        public static IReadOnlyList<string> SharedOptions { get; } = Array.AsReadOnly(new[]
        {
            "-DDATA_TYPE=float|half", "-DCMD_DATA_TYPE=f|h", "-DNON_UNIFORM_WORK_GROUP", "-DOUT_OF_RANGE_CHECK",
        });

        private static string[] With(string[] first, params string[] rest) => first.Concat(rest).ToArray();
        private static string[] None => new string[0];

        private static KernelCatalogEntry K(string program, string kernel, string op, string[] options, string description) =>
            new KernelCatalogEntry(program, kernel, op, options, description);

        private static KernelCatalogEntry ToImage(string kernel, string layout) =>
            K("buffer_to_image", kernel, "buffer_to_image", None, $"Copies a plain buffer into a {layout} image.");

        private static KernelCatalogEntry ToBuffer(string kernel, string layout) =>
            K("buffer_to_image", kernel, "image_to_buffer", None, $"Copies a {layout} image back into a plain buffer.");

        /// <summary>Every kernel of the library, sorted by program then kernel.</summary>
        public static IReadOnlyList<KernelCatalogEntry> Entries { get; } = new[]
        {
            K("activation", "activation", "activation", Activations,
                "Applies one activation to an IN_OUT image (none copies it)."),
            K("batch_norm", "batch_norm", "batch_norm", With(new[] { "-DFOLDED_CONSTANT" }, Activations),
                "Batch normalisation per channel, with a fused activation; FOLDED_CONSTANT takes scale and offset only."),
            ToImage("arg_buffer_to_image", "ARGUMENT (1-D, C values)"),
            ToBuffer("arg_image_to_buffer", "ARGUMENT (1-D, C values)"),
            ToImage("dw_filter_buffer_to_image", "DW_CONV2D_FILTER (depthwise filter)"),
            ToBuffer("dw_filter_image_to_buffer", "DW_CONV2D_FILTER (depthwise filter)"),
            ToImage("filter_buffer_to_image", "CONV2D_FILTER (OIHW filter)"),
            ToBuffer("filter_image_to_buffer", "CONV2D_FILTER (OIHW filter)"),
            ToImage("in_out_buffer_to_image", "IN_OUT (NHWC tensor)"),
            ToBuffer("in_out_image_to_buffer", "IN_OUT (NHWC tensor)"),
            ToImage("weight_height_buffer_to_image", "WEIGHT_HEIGHT (fully-connected weight)"),
            ToBuffer("weight_height_image_to_buffer", "WEIGHT_HEIGHT (fully-connected weight)"),
            ToImage("weight_width_buffer_to_image", "WEIGHT_WIDTH (fully-connected weight)"),
            ToBuffer("weight_width_image_to_buffer", "WEIGHT_WIDTH (fully-connected weight)"),
            ToImage("winograd_filter_buffer_to_image_2x2", "WINOGRAD_FILTER (3x3 OIHW filter as G g Gt for F(2x2, 3x3))"),
            ToImage("winograd_filter_buffer_to_image_4x4", "WINOGRAD_FILTER (3x3 OIHW filter as G g Gt for F(4x4, 3x3))"),
            K("concat", "concat_channel", "concat", new[] { "-DDIVISIBLE_FOUR" },
                "Concatenates two images along the channels; DIVISIBLE_FOUR when input0's channels are a multiple of four."),
            K("concat", "concat_channel_multi", "concat", None,
                "Copies one of several inputs into the output at a channel-block offset (one launch per input)."),
            K("conv_2d", "conv_2d", "conv2d", With(new[] { "-DBIAS" }, Activations),
                "General convolution (any kernel size, stride, dilation, padding) with optional bias and fused activation."),
            K("conv_2d_1x1", "conv_2d_1x1", "conv2d", With(new[] { "-DBIAS" }, Activations),
                "1x1 convolution without padding, with optional bias and fused activation."),
            K("conv_2d_3x3", "conv_2d_3x3", "conv2d", With(new[] { "-DBIAS" }, Activations),
                "3x3 convolution, five output columns per work-item, with optional bias and fused activation."),
            K("deconv_2d", "deconv_2d", "deconv2d", With(new[] { "-DBIAS" }, Activations),
                "Transposed convolution (ConvTranspose, group 1) on an OIHW filter, five strided output columns per work-item, with optional bias and fused activation."),
            K("depthwise_conv2d", "depthwise_conv2d", "depthwise_conv2d", With(new[] { "-DBIAS", "-DSTRIDE=n", "-DSTRIDE_W=n" }, Activations),
                "Depthwise convolution (multiplier 1) with the stride a build option (-DSTRIDE_W, ours, for a different width stride), dilation, bias and fused activation."),
            K("depthwise_conv2d", "depthwise_conv2d_s1", "depthwise_conv2d", With(new[] { "-DBIAS", "-DSTRIDE=n" }, Activations),
                "Depthwise convolution for stride 1 and dilation 1 (MACE passes -DSTRIDE=1, which this kernel ignores)."),
            K("eltwise", "eltwise", "eltwise", new[]
                {
                    "-DELTWISE_TYPE=0..15", "-DINPUT_SCALAR", "-DINPUT_BATCH_VECTOR", "-DINPUT_VECTOR", "-DINPUT_TENSOR_BC_CHAN",
                    "-DINPUT_TYPE=1..4", "-DSWAPPED", "-DNOT_DIVISIBLE_FOUR", "-DCOEFF_SUM",
                },
                "Element-wise binary or unary op (ELTWISE_TYPE) with the second input a tensor, broadcast or scalar."),
            K("fully_connected", "fully_connected", "fully_connected", With(new[] { "-DBIAS" }, Activations),
                "Fully connected layer on a WEIGHT_HEIGHT weight, four outputs per work-item."),
            K("fully_connected", "fully_connected_width", "fully_connected", With(new[] { "-DBIAS", "-DNON_QUALCOMM_ADRENO" }, Activations),
                "Fully connected layer on a WEIGHT_WIDTH weight, summed across a work-group (MACE's choice)."),
            K("matmul", "matmul", "conv2d", None,
                "Batched matrix product on IN_OUT_HEIGHT images: the Winograd convolution's transformed filter times transformed input."),
            K("pad", "pad", "pad", new[] { "-DPAD_TYPE=0..2" },
                "Spatial padding: constant (0), reflect (1) or symmetric (2)."),
            K("pooling", "pooling", "pooling", new[] { "-DPOOL_AVG" },
                "Max pooling, or average pooling (padding excluded) with POOL_AVG."),
            K("reduce", "reduce", "reduce", new[] { "-DREDUCE_TYPE=0..4", "-DNOT_DIVISIBLE_FOUR", "-DNON_QUALCOMM_ADRENO" },
                "Reduces H and W in one work-group with local memory (MACE before v1.1)."),
            K("reduce", "reduce_hw", "reduce", new[] { "-DREDUCE_TYPE=0..4", "-DNOT_DIVISIBLE_FOUR" },
                "Reduces H and W in passes over 16x16 tiles (MACE v1.1 and later; MACE always passes NOT_DIVISIBLE_FOUR)."),
            K("reduce", "reduce_c", "reduce", new[] { "-DREDUCE_TYPE=0..4", "-DNOT_DIVISIBLE_FOUR" },
                "Reduces the channels of each pixel in passes over 16 channel blocks (MACE v1.1 and later)."),
            K("resize_bilinear", "resize_bilinear_nocache", "resize_bilinear", new[] { "-DCT_MODE=0..2" },
                "Bilinear resize; CT_MODE picks the coordinate transform (MACE v1.1 and later)."),
            K("resize_nearest_neighbor", "resize_nearest_neighbor_nocache", "resize_nearest_neighbor", new[] { "-DCT_MODE=0..2", "-DNEAREST_MODE=0..3" },
                "Nearest-neighbour resize; CT_MODE picks the coordinate transform and NEAREST_MODE the rounding (MACE v1.1 and later)."),
            K("softmax", "softmax", "softmax", new[] { "-DUSE_LOG" },
                "Softmax over the channels, or log-softmax with USE_LOG."),
            K("transpose", "nhwc_to_nchw", "reshape", None,
                "NHWC to NCHW copy of a buffer: the first half of MACE's GPU Reshape in NCHW order (MACE v1.1 and later)."),
            K("transpose", "nchw_to_nhwc", "reshape", None,
                "NCHW to NHWC copy of a buffer: the second half of MACE's GPU Reshape in NCHW order (MACE v1.1 and later)."),
            K("winograd_transform", "winograd_inverse_transform_2x2", "conv2d", With(new[] { "-DBIAS" }, Activations),
                "Winograd F(2x2, 3x3) output transform (At m A) into an IN_OUT image, with optional bias and fused activation."),
            K("winograd_transform", "winograd_inverse_transform_4x4", "conv2d", With(new[] { "-DBIAS" }, Activations),
                "Winograd F(4x4, 3x3) output transform (At m A) into an IN_OUT image, with optional bias and fused activation."),
            K("winograd_transform", "winograd_transform_2x2", "conv2d", None,
                "Winograd F(2x2, 3x3) input transform (Bt d B of 4x4 tiles, stride 1) into an IN_OUT_HEIGHT image."),
            K("winograd_transform", "winograd_transform_4x4", "conv2d", None,
                "Winograd F(4x4, 3x3) input transform (Bt d B of 6x6 tiles, stride 1) into an IN_OUT_HEIGHT image."),
        };

        private static readonly Regex KernelDeclaration = new Regex(@"__kernel\s+void\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(", RegexOptions.CultureInvariant);

        /// <summary>The names of the kernels an OpenCL C source text defines (<c>__kernel void name(</c>), in order.</summary>
        public static IReadOnlyList<string> KernelsIn(string source) =>
            KernelDeclaration.Matches(source).Cast<Match>().Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();

        /// <summary>The common options of <paramref name="kernel"/>: <see cref="SharedOptions"/> and <c>-D&lt;kernel&gt;=&lt;symbol&gt;</c>.</summary>
        public static string[] CommonOptionsOf(string kernel) =>
            SharedOptions.Concat(new[] { $"-D{kernel}={SymbolObfuscation.Obfuscate(kernel)}" }).ToArray();

        /// <summary>The catalog's kernels that <paramref name="sources"/> defines, hashed for <paramref name="version"/>.</summary>
        public static IReadOnlyList<MaceKernelDefinition> List(KernelSourceSet sources, MaceVersion version) => Survey(sources, version).Kernels;

        /// <summary>
        /// The catalog against a source set: the kernels it defines (only programs the set has; a listed kernel whose program
        /// source lacks its <c>__kernel void</c> is left out and reported in <see cref="KernelSurvey.Missing"/>), and the
        /// kernels the set defines that the catalog does not know.
        /// </summary>
        public static KernelSurvey Survey(KernelSourceSet sources, MaceVersion version)
        {
            if (sources == null) throw new ArgumentNullException(nameof(sources));
            if (version == null) throw new ArgumentNullException(nameof(version));
            var kernels = new List<MaceKernelDefinition>();
            var missing = new List<KernelCatalogEntry>();
            var unknown = new List<string>();
            var byProgram = Entries.ToLookup(e => e.Program, StringComparer.Ordinal);
            foreach (string program in sources.Programs)
            {
                string text = sources.Assemble(program, version);
                var defined = new HashSet<string>(KernelsIn(text), StringComparer.Ordinal);
                var listed = byProgram[program].ToList();
                unknown.AddRange(defined.Where(k => !listed.Any(e => e.Kernel == k)).OrderBy(k => k, StringComparer.Ordinal).Select(k => program + "/" + k));
                if (listed.Count == 0) continue;
                string programHash = sources.HashStr(program);
                string sourceHash = KernelSourceSet.HashText(text);
                foreach (var entry in listed)
                {
                    if (defined.Contains(entry.Kernel)) kernels.Add(new MaceKernelDefinition(entry, programHash, sourceHash, sources.Origin, version));
                    else missing.Add(entry);
                }
            }
            var sorted = kernels.OrderBy(k => k.Program, StringComparer.Ordinal).ThenBy(k => k.Kernel, StringComparer.Ordinal).ToList();
            return new KernelSurvey(sorted.AsReadOnly(), missing.AsReadOnly(), unknown.AsReadOnly());
        }
    }
}
