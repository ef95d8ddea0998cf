using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Kernels;

using MaceTools.Tests.CompilationTests;
using MaceTools.Tests.OpenCLTests;
using Xunit;

namespace MaceTools.Tests.Kernels
{
    /// <summary>
    /// The program keys and tuning keys that KernelOps forms from op parameters equal the keys in real MACE files:
    /// every program key of the Adreno v0.10.1 and Mali v0.12.0 caches, the 13 keys MACE v1.1.1 wrote on pocl, and every
    /// tuning key of the real v1.1.1 tuned-parameter file (obfuscation included).
    /// </summary>
    public class ProgramKeyTests
    {
        private static readonly Activation Relu = new Activation(ActivationKind.Relu);
        private static readonly Activation ReluX = new Activation(ActivationKind.ReluX);
        private static readonly Activation Sigmoid = new Activation(ActivationKind.Sigmoid);
        private static readonly Activation None = Activation.None;
        private static readonly int[] In = { 1, 16, 16, 16 };
        private static readonly int[] One = { 1, 1 };

        private static KernelLaunch Conv(KernelTarget t, int k, bool bias, Activation act) =>
            KernelOps.Conv2D(In, new[] { 16, 16, k, k }, In, One, One, new[] { k / 2, k / 2 }, bias, act, t);

        private static KernelLaunch Dw(KernelTarget t, int stride, int dilation, bool bias, Activation act) =>
            KernelOps.DepthwiseConv2D(In, new[] { 1, 16, 3, 3 }, In, new[] { stride, stride }, new[] { dilation, dilation }, One, bias, act, t);

        private static KernelLaunch Elt(KernelTarget t, EltwiseKind kind, EltwiseBroadcast b = EltwiseBroadcast.Tensor) => KernelOps.Eltwise(kind, In, b, t);

        private static KernelLaunch ToImage(KernelTarget t, ImageKind kind, bool half = false) =>
            KernelOps.BufferToImage(kind, kind == ImageKind.Argument ? new[] { 16 } : kind == ImageKind.InOut ? In : new[] { 16, 16, 3, 3 }, t, half);

        private static IEnumerable<KernelLaunch> Adreno010()
        {
            var t = new KernelTarget(MaceVersion.Parse("v0.10.1-rc4-0-gb83487a"), nonUniformWorkGroup: true, adreno: true);
            yield return KernelOps.BatchNorm(In, true, 0, Relu, t);
            yield return ToImage(t, ImageKind.InOut);
            yield return KernelOps.ImageToBuffer(ImageKind.InOut, In, t);
            yield return ToImage(t, ImageKind.Argument, half: true);
            yield return KernelOps.BufferToImage(ImageKind.DwConv2DFilter, new[] { 1, 16, 3, 3 }, t, half: true);
            yield return ToImage(t, ImageKind.Conv2DFilter, half: true);
            yield return ToImage(t, ImageKind.InOut, half: true);
            yield return KernelOps.Concat(new[] { In, In }, t, half: true)[0];
            yield return KernelOps.Concat(new[] { In, In, In }, t, half: true)[0];
            yield return Conv(t, 5, true, Relu);
            yield return Conv(t, 1, true, Relu);
            yield return Conv(t, 1, true, None);
            yield return Conv(t, 1, false, None);
            yield return Conv(t, 3, false, None);
            yield return Conv(t, 3, true, Relu);
            yield return Conv(t, 3, true, None);
            yield return Dw(t, 1, 1, false, None);
            yield return Dw(t, 1, 1, true, Relu);
            yield return Elt(t, EltwiseKind.Sum, EltwiseBroadcast.Scalar);
            yield return Elt(t, EltwiseKind.Sum);
            yield return Elt(t, EltwiseKind.Sub);
            yield return Elt(t, EltwiseKind.Prod);
            yield return Elt(t, EltwiseKind.Div, EltwiseBroadcast.Channel);
            yield return Elt(t, EltwiseKind.Div);
            yield return KernelOps.Pooling(In, new[] { 1, 8, 8, 16 }, PoolingKind.Average, new[] { 2, 2 }, new[] { 2, 2 }, new[] { 0, 0 }, t);
            yield return KernelOps.Pooling(In, new[] { 1, 8, 8, 16 }, PoolingKind.Max, new[] { 2, 2 }, new[] { 2, 2 }, new[] { 0, 0 }, t, half: true);
            yield return KernelOps.ResizeBilinear(In, 32, 32, false, ResizeCoordinates.Asymmetric, t);
            yield return KernelOps.Softmax(new[] { 1, 1, 1, 10 }, t);
        }

        private static IEnumerable<KernelLaunch> Mali012()
        {
            var t = new KernelTarget(MaceVersion.Parse("v0.12.0-28-gc4c1b28"), nonUniformWorkGroup: false, adreno: false);
            yield return ToImage(t, ImageKind.InOut);
            yield return KernelOps.ImageToBuffer(ImageKind.InOut, In, t);
            yield return ToImage(t, ImageKind.Argument, half: true);
            yield return KernelOps.BufferToImage(ImageKind.DwConv2DFilter, new[] { 1, 16, 3, 3 }, t, half: true);
            yield return ToImage(t, ImageKind.Conv2DFilter, half: true);
            yield return KernelOps.Concat(new[] { In, In, In }, t, half: true)[0]; // float from v0.12 whatever the tensors
            yield return KernelOps.Concat(new[] { In, In }, t, half: true)[0];
            yield return Conv(t, 5, true, Relu);
            yield return Conv(t, 1, true, Relu);
            yield return Conv(t, 1, true, ReluX);
            yield return Conv(t, 1, true, Sigmoid);
            yield return Conv(t, 1, true, None);
            yield return Conv(t, 3, true, ReluX);
            yield return Conv(t, 3, true, None);
            yield return Dw(t, 1, 2, true, Relu);
            yield return Dw(t, 1, 1, true, Relu);
            yield return Dw(t, 1, 2, true, ReluX);
            yield return Dw(t, 1, 1, true, ReluX);
            yield return Dw(t, 2, 1, true, ReluX);
            yield return Elt(t, EltwiseKind.Sum);
            yield return Elt(t, EltwiseKind.Prod);
            yield return KernelOps.Pooling(In, new[] { 1, 8, 8, 16 }, PoolingKind.Average, new[] { 2, 2 }, new[] { 2, 2 }, new[] { 0, 0 }, t);
            yield return KernelOps.Reduce(In, ReduceKind.Mean, t)[0];
            yield return KernelOps.ResizeBilinear(In, 32, 32, false, ResizeCoordinates.Asymmetric, t);
            yield return KernelOps.Softmax(new[] { 1, 1, 1, 10 }, t);
        }

        /// <summary>The model MACE v1.1.1 converted and ran on pocl (mace-formats.md §8), layer by layer.</summary>
        public static IEnumerable<KernelLaunch> PoclV111Model(KernelTarget t)
        {
            int[] input = { 1, 32, 32, 3 }, c1 = { 1, 32, 32, 8 }, p1 = { 1, 16, 16, 8 }, c2 = { 1, 16, 16, 16 };
            yield return KernelOps.BufferToImage(ImageKind.InOut, input, t);
            yield return KernelOps.BufferToImage(ImageKind.Conv2DFilter, new[] { 8, 3, 3, 3 }, t);
            yield return KernelOps.BufferToImage(ImageKind.Argument, new[] { 8 }, t);
            yield return KernelOps.Conv2D(input, new[] { 8, 3, 3, 3 }, c1, One, One, One, true, Relu, t);
            yield return KernelOps.Pooling(c1, p1, PoolingKind.Max, new[] { 2, 2 }, new[] { 2, 2 }, new[] { 0, 0 }, t);
            yield return KernelOps.BufferToImage(ImageKind.Conv2DFilter, new[] { 16, 8, 1, 1 }, t);
            yield return KernelOps.BufferToImage(ImageKind.Argument, new[] { 16 }, t);
            yield return KernelOps.Conv2D(p1, new[] { 16, 8, 1, 1 }, c2, One, One, new[] { 0, 0 }, true, Relu, t);
            yield return KernelOps.BufferToImage(ImageKind.DwConv2DFilter, new[] { 1, 16, 3, 3 }, t);
            yield return KernelOps.DepthwiseConv2D(c2, new[] { 1, 16, 3, 3 }, c2, One, One, One, true, Relu, t);
            foreach (var l in KernelOps.Reduce(c2, ReduceKind.Mean, t)) yield return l;
            yield return KernelOps.BufferToImage(ImageKind.WeightWidth, new[] { 10, 16, 1, 1 }, t);
            yield return KernelOps.BufferToImage(ImageKind.Argument, new[] { 10 }, t);
            yield return KernelOps.FullyConnected(new[] { 1, 1, 1, 16 }, 10, true, None, t);
            yield return KernelOps.Softmax(new[] { 1, 1, 1, 10 }, t);
            yield return KernelOps.ImageToBuffer(ImageKind.InOut, new[] { 1, 1, 1, 10 }, t);
        }

        private static KernelTarget PoclV111 => new KernelTarget(MaceVersion.Parse("v1.1.1-0-g8c75d39"), nonUniformWorkGroup: false, adreno: false);

        private static List<string> FileKeys(string fixture, MaceEntryKind kind) =>
            MaceProgram.Load(Fixtures.Path(fixture)).Entries.Where(e => e.Kind == kind).Select(e => e.Key).OrderBy(k => k, StringComparer.Ordinal).ToList();

        private static List<string> Keys(IEnumerable<KernelLaunch> launches) =>
            launches.Select(l => l.ProgramKey).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToList();

        [Fact]
        public void Every_program_key_of_the_real_Adreno_v0_10_file_is_formed_from_op_parameters() =>
            Assert.Equal(FileKeys(Fixtures.Adreno, MaceEntryKind.Program), Keys(Adreno010()));

        [Fact]
        public void Every_program_key_of_the_real_Mali_v0_12_file_is_formed_from_op_parameters() =>
            Assert.Equal(FileKeys(Fixtures.Mali, MaceEntryKind.Program), Keys(Mali012()));

        [Fact]
        public void The_keys_MACE_v1_1_1_wrote_on_pocl_are_the_keys_of_the_same_model_here() =>
            Assert.Equal(NewProgramTests.PoclV111Keys.OrderBy(k => k, StringComparer.Ordinal), Keys(PoclV111Model(PoclV111)));

        [Fact]
        public void Every_tuning_key_of_the_real_v1_1_1_tuned_file_is_formed_and_obfuscated_as_MACE_does()
        {
            var fileKeys = FileKeys(Fixtures.PoclTuning, MaceEntryKind.TuningParameter);
            var ours = PoclV111Model(PoclV111).Where(l => l.TuningFileKey != null).Select(l => l.TuningFileKey!)
                .Distinct().OrderBy(k => k, StringComparer.Ordinal).ToList();
            Assert.Equal(fileKeys, ours);
            // A few in plain text, as MACE's log printed them.
            var plain = PoclV111Model(PoclV111).Select(l => l.TuningKey).ToList();
            Assert.Contains("pooling_opencl_kernel__1_16_16_8", plain);
            Assert.Contains("dw_filter_buffer_to_image_[1, 16, 3, 3]", plain);
            Assert.Contains("reduce_hw_opencl_kernel_1_1_4", plain);
            Assert.Contains(null, plain); // fully connected is not tuned
        }

        [Fact]
        public void Retargeting_MACE_v1_1_1_keys_onto_the_device_they_were_made_for_changes_nothing()
        {
            // reduce_hw carries no -DNON_QUALCOMM_ADRENO in v1.1.1; fully_connected_width does on every GPU but Adreno.
            foreach (var key in NewProgramTests.PoclV111Keys)
                Assert.Equal(key, Compilation.KeyRetarget.For(key, Pocl.Device, MaceVersion.Latest));
        }

        [Fact]
        public void Obfuscation_off_defines_each_kernel_to_itself_and_keeps_tuning_keys_plain()
        {
            var t = new KernelTarget(MaceVersion.Latest, false, false, obfuscate: false);
            var l = KernelOps.Conv2D(In, new[] { 16, 16, 3, 3 }, In, One, One, One, false, None, t);
            Assert.Equal("conv_2d_3x3  -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Dconv_2d_3x3=conv_2d_3x3", l.ProgramKey);
            Assert.Equal("conv_2d_3x3", l.Symbol);
            Assert.Equal(l.TuningKey, l.TuningFileKey);
        }

        [Fact]
        public void Non_uniform_work_groups_add_the_option_and_drop_the_global_size_arguments()
        {
            var uniform = KernelOps.Softmax(In, PoclV111);
            var nonUniform = KernelOps.Softmax(In, new KernelTarget(MaceVersion.Latest, true, true));
            Assert.Contains("-DNON_UNIFORM_WORK_GROUP", nonUniform.Options);
            Assert.DoesNotContain("-DNON_UNIFORM_WORK_GROUP", uniform.Options);
            Assert.Equal(new[] { "global_size_dim0", "global_size_dim1", "global_size_dim2" }, uniform.Arguments.Take(3).Select(a => a.Name));
            Assert.Equal(uniform.Arguments.Count - 3, nonUniform.Arguments.Count);
            Assert.Equal(nonUniform.GlobalSize, nonUniform.EnqueuedGlobalSize(new long[] { 3, 5, 7 }));
            Assert.Equal(new long[] { 6, 20, 21 }, uniform.EnqueuedGlobalSize(new long[] { 3, 5, 7 }));
        }

        [Theory]
        // GWS, kwg, cache, cu -> MACE's formula by hand (mace-formats.md §3.6, unsigned integer arithmetic).
        [InlineData(LocalSizeRule.Default3D, new long[] { 4, 16, 16 }, 1024, 32768, 4, new long[] { 2, 16, 2 })]
        [InlineData(LocalSizeRule.Conv1x1, new long[] { 4, 4, 16 }, 256, 524288, 8, new long[] { 32, 4, 2 })]
        [InlineData(LocalSizeRule.Conv3x3, new long[] { 2, 7, 32 }, 256, 131072, 4, new long[] { 2, 7, 18 })]
        [InlineData(LocalSizeRule.Pooling, new long[] { 2, 16, 16 }, 256, 16384, 1, new long[] { 2, 16, 1 })]
        [InlineData(LocalSizeRule.Softmax, new long[] { 3, 1, 1 }, 256, 65536, 2, new long[] { 3, 1, 1 })]
        [InlineData(LocalSizeRule.Depthwise, new long[] { 4, 4, 16 }, 256, 8192, 2, new long[] { 1, 4, 16 })]
        public void Default_local_sizes_follow_MACEs_formulas(LocalSizeRule rule, long[] gws, long kwg, long cache, int cu, long[] expected) =>
            Assert.Equal(expected, LocalSizes.Default(rule, gws, kwg, cache, cu));
    }
}
