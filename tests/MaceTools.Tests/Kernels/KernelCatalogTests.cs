using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using MaceTools.Kernels;
using MaceTools.Tests.Operations;

namespace MaceTools.Tests.Kernels
{
    /// <summary>The hand-written kernel catalog held to the kernel sources, to MACE's symbols and hashes, and to real MACE keys.</summary>
    public class KernelCatalogTests
    {
        private static readonly MaceVersion V1_1_1 = MaceVersion.Parse("v1.1.1-0-g8c75d39");
        private static readonly MaceVersion V0_10 = MaceVersion.Parse("v0.10.1-rc4-0-gb83487a");

        private static string SourceDir => Path.Combine(Fixtures.RepoRoot, "src", "MaceTools.Core", "Kernels", "cl");

        /// <summary>The .cl files of the repository, read from disk (not through the code under test).</summary>
        private static Dictionary<string, string> ClFiles() =>
            Directory.GetFiles(SourceDir, "*.cl").ToDictionary(f => Path.GetFileNameWithoutExtension(f), File.ReadAllText);

        private static IEnumerable<string> DeclaredKernels(string text) =>
            Regex.Matches(text, @"__kernel\s+void\s+(\w+)\s*\(").Cast<Match>().Select(m => m.Groups[1].Value);

        /// <summary>The macro an option defines: -DELTWISE_TYPE=0..15 -> ELTWISE_TYPE.</summary>
        private static string Macro(string option)
        {
            var m = Regex.Match(option, @"^-D([A-Za-z_][A-Za-z0-9_]*)(=.*)?$");
            Assert.True(m.Success, $"'{option}' is not a -D option");
            return m.Groups[1].Value;
        }

        [Fact]
        public void Every_kernel_of_the_sources_is_in_the_catalog_and_vice_versa()
        {
            var inSources = ClFiles().SelectMany(f => DeclaredKernels(f.Value).Select(k => f.Key + "/" + k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
            var inCatalog = KernelCatalog.Entries.Select(e => e.Program + "/" + e.Kernel).OrderBy(k => k, StringComparer.Ordinal).ToList();
            Assert.Equal(inSources, inCatalog);
            Assert.Equal(inCatalog.Count, inCatalog.Distinct().Count());
            Assert.Equal(KernelSourceSet.Builtin.Programs, ClFiles().Keys.OrderBy(k => k, StringComparer.Ordinal));
        }

        [Fact]
        public void The_catalog_agrees_with_the_kernels_the_source_set_tests_expect()
        {
            foreach (var program in KernelSourceSetTests.ExpectedKernels)
                foreach (var kernel in program.Value)
                    Assert.Contains(KernelCatalog.Entries, e => e.Program == program.Key && e.Kernel == kernel);
        }

        [Fact]
        public void Every_listed_option_occurs_in_its_programs_source_or_in_common_h()
        {
            var files = ClFiles();
            string common = File.ReadAllText(Path.Combine(SourceDir, "common.h"));
            foreach (var e in KernelCatalog.Entries)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Op), e.ToString());
                Assert.False(string.IsNullOrWhiteSpace(e.Description), e.ToString());
                Assert.DoesNotContain("\n", e.Description);
                Assert.Equal(e.Options.Count, e.Options.Distinct().Count());
                foreach (var option in e.Options)
                {
                    var word = new Regex(@"\b" + Macro(option) + @"\b");
                    Assert.True(word.IsMatch(files[e.Program]) || word.IsMatch(common), $"{e}: {option} appears neither in {e.Program}.cl nor in common.h");
                }
            }
            foreach (var option in KernelCatalog.SharedOptions)
                Assert.Matches(@"\b" + Macro(option) + @"\b", common);
        }

        [Fact]
        public void Ops_are_MACEs_and_the_transforms_split_by_direction()
        {
            var ops = KernelCatalog.Entries.Select(e => e.Op).Distinct().OrderBy(o => o, StringComparer.Ordinal);
            Assert.Equal(new[]
            {
                "activation", "batch_norm", "buffer_to_image", "concat", "conv2d", "deconv2d", "depthwise_conv2d", "eltwise", "fully_connected",
                "image_to_buffer", "pad", "pooling", "reduce", "reshape", "resize_bilinear", "resize_nearest_neighbor", "softmax",
            }, ops);
            foreach (var e in KernelCatalog.Entries.Where(e => e.Program == "buffer_to_image"))
                Assert.Equal(e.Kernel.EndsWith("_image_to_buffer", StringComparison.Ordinal) ? "image_to_buffer" : "buffer_to_image", e.Op);
        }

        [Fact]
        public void Options_cover_what_KernelOps_passes_to_each_kernel()
        {
            var target = new KernelTarget(V1_1_1, nonUniformWorkGroup: true, adreno: false);
            var old = new KernelTarget(MaceVersion.Parse("v0.12.0-28-gc4c1b28"), nonUniformWorkGroup: false, adreno: false);
            var relu = new Activation(ActivationKind.Relu);
            int[] x = { 1, 8, 8, 6 };
            var launches = new List<KernelLaunch>
            {
                KernelOps.Conv2D(x, new[] { 8, 6, 1, 1 }, new[] { 1, 8, 8, 8 }, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 0, 0 }, true, relu, target),
                KernelOps.Conv2D(x, new[] { 8, 6, 3, 3 }, new[] { 1, 8, 8, 8 }, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 1, 1 }, true, new Activation(ActivationKind.HardSwish, coefficient: 1 / 6f, beta: 0.5f), target),
                KernelOps.Conv2D(x, new[] { 8, 6, 5, 5 }, new[] { 1, 8, 8, 8 }, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 2, 2 }, false, new Activation(ActivationKind.Sigmoid), target),
                KernelOps.DepthwiseConv2D(x, new[] { 1, 6, 3, 3 }, new[] { 1, 4, 4, 6 }, new[] { 2, 2 }, new[] { 1, 1 }, new[] { 1, 1 }, true, relu, target),
                KernelOps.DepthwiseConv2D(x, new[] { 1, 6, 3, 3 }, x, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 1, 1 }, true, new Activation(ActivationKind.ReluX), target),
                KernelOps.Pooling(x, new[] { 1, 4, 4, 6 }, PoolingKind.Average, new[] { 2, 2 }, new[] { 2, 2 }, new[] { 0, 0 }, target),
                KernelOps.Eltwise(EltwiseKind.Sum, x, EltwiseBroadcast.Vector, target, coefficients: new[] { 1f, 2f }, swapped: true),
                KernelOps.Eltwise(EltwiseKind.Sub, x, EltwiseBroadcast.Scalar, old, scalar: 1f),
                KernelOps.Eltwise(EltwiseKind.Div, x, EltwiseBroadcast.BatchVector, target),
                KernelOps.Eltwise(EltwiseKind.Max, x, EltwiseBroadcast.Channel, target),
                KernelOps.Activation(x, new Activation(ActivationKind.HardSigmoid, coefficient: 0.2f, beta: 0.5f), target),
                KernelOps.BatchNorm(x, true, 1e-5f, new Activation(ActivationKind.LeakyRelu, coefficient: 0.1f), target),
                KernelOps.Softmax(x, target, log: true),
                KernelOps.FullyConnected(x, 10, true, new Activation(ActivationKind.Tanh), target),
                KernelOps.ResizeBilinear(x, 16, 16, false, ResizeCoordinates.HalfPixel, target),
                KernelOps.Pad(x, new[] { 1, 1, 1, 1 }, PadMode.Reflect, 0f, target),
                KernelOps.BufferToImage(ImageKind.Conv2DFilter, new[] { 8, 6, 3, 3 }, target),
                KernelOps.ImageToBuffer(ImageKind.InOut, x, target),
            };
            launches.AddRange(KernelOps.Reduce(new[] { 1, 40, 40, 6 }, ReduceKind.Mean, target));
            launches.AddRange(KernelOps.Reduce(x, ReduceKind.Max, old));
            launches.AddRange(KernelOps.Concat(new[] { new[] { 1, 8, 8, 4 }, new[] { 1, 8, 8, 3 } }, target));
            launches.AddRange(KernelOps.Concat(new[] { new[] { 1, 8, 8, 4 }, new[] { 1, 8, 8, 4 }, new[] { 1, 8, 8, 3 } }, target));

            foreach (var launch in launches)
            {
                var entry = KernelCatalog.Entries.Single(e => e.Program == launch.Program && e.Kernel == launch.Kernel);
                Assert.Equal(launch.Op, entry.Op);
                var known = new HashSet<string>(entry.Options.Concat(KernelCatalog.CommonOptionsOf(entry.Kernel)).Select(Macro));
                foreach (var option in launch.Options.Where(o => o.Length > 0))
                    Assert.True(known.Contains(Macro(option)), $"{entry}: KernelOps passes {option}, which the catalog does not list");
            }
        }

        [Fact]
        public void Options_cover_the_program_keys_of_real_MACE_files_and_symbols_match_theirs()
        {
            int checkedKeys = 0;
            foreach (var file in new[] { Fixtures.Adreno, Fixtures.Mali })
                foreach (var key in MaceProgram.Load(Fixtures.Path(file)).Entries.Where(e => e.Kind == MaceEntryKind.Program))
                {
                    var entry = KernelCatalog.Entries.SingleOrDefault(e => e.Program == key.Program && e.Kernel == key.KernelName);
                    Assert.True(entry != null, $"{file}: {key.Key}: the catalog has no {key.Program}/{key.KernelName}");
                    var definition = KernelCatalog.List(KernelSourceSet.Builtin, V1_1_1).Single(d => d.Program == entry!.Program && d.Kernel == entry.Kernel);
                    Assert.Equal(key.KernelSymbol, definition.Symbol);
                    var known = new HashSet<string>(definition.Options.Concat(definition.CommonOptions).Select(Macro));
                    foreach (var option in key.Options!.Where(o => o.Length > 0))
                        Assert.True(known.Contains(Macro(option)), $"{file}: {key.Key}: {option} is not in the catalog for {entry}");
                    checkedKeys++;
                }
            Assert.True(checkedKeys > 40, $"{checkedKeys} keys checked");
        }

        [Theory]
        [InlineData("conv_2d_1x1", "c44CimyloKq")]
        [InlineData("fully_connected_width", "f_23Gjx__A32J66tQD_QF")]
        [InlineData("softmax", "s4wA5uH")]
        [InlineData("pooling", "p453171")]
        public void Symbols_are_MACEs_obfuscated_names(string kernel, string symbol)
        {
            var d = KernelCatalog.List(KernelSourceSet.Builtin, V1_1_1).Single(k => k.Kernel == kernel);
            Assert.Equal(symbol, d.Symbol);
            Assert.Equal($"-D{kernel}={symbol}", d.CommonOptions.Last());
            Assert.Equal(new[] { "-DDATA_TYPE=float|half", "-DCMD_DATA_TYPE=f|h", "-DNON_UNIFORM_WORK_GROUP", "-DOUT_OF_RANGE_CHECK" }, d.CommonOptions.Take(4));
        }

        [Fact]
        public void Definitions_carry_the_hashes_and_origin_of_the_source_set_sorted_by_program_then_kernel()
        {
            var builtin = KernelSourceSet.Builtin;
            var list = KernelCatalog.List(builtin, V1_1_1);
            Assert.Equal(KernelCatalog.Entries.Count, list.Count);
            Assert.Equal(list.OrderBy(k => k.Program, StringComparer.Ordinal).ThenBy(k => k.Kernel, StringComparer.Ordinal), list);
            foreach (var d in list)
            {
                Assert.Equal(builtin.HashStr(d.Program), d.ProgramHash);
                Assert.Equal(builtin.SourceHash(d.Program, V1_1_1), d.SourceHash);
                Assert.Equal("builtin", d.Origin);
                Assert.Equal(V1_1_1.Text, d.MaceVersion);
            }
            // hash_str_: md5 tail of the file, then of common.h per include line (each program includes it once).
            Assert.All(list, d => Assert.Equal(20, d.ProgramHash.Length));
            // Before v0.12 the headers replace the include line, so the assembled text and its hash differ.
            var older = KernelCatalog.List(builtin, V0_10);
            Assert.Equal(builtin.SourceHash("softmax", V0_10), older.Single(k => k.Kernel == "softmax").SourceHash);
            Assert.Equal(list.Select(k => k.ProgramHash), older.Select(k => k.ProgramHash));
        }

        [Fact]
        public void A_directory_lists_only_its_programs_and_reports_missing_and_unknown_kernels()
        {
            using var dir = new TempDir();
            File.Copy(Path.Combine(SourceDir, "common.h"), dir.File("common.h"));
            File.Copy(Path.Combine(SourceDir, "conv_2d_1x1.cl"), dir.File("conv_2d_1x1.cl"));
            File.Copy(Path.Combine(SourceDir, "softmax.cl"), dir.File("softmax.cl"));
            // A concat program with only one of the catalog's two kernels, plus one the catalog does not know.
            string concat = File.ReadAllText(Path.Combine(SourceDir, "concat.cl"));
            int multi = concat.IndexOf("__kernel void concat_channel_multi", StringComparison.Ordinal);
            File.WriteAllText(dir.File("concat.cl"), concat.Substring(0, multi) + "__kernel void concat_extra(__global float *x) { x[0] = 0; }\n");
            File.WriteAllText(dir.File("lstm.cl"), "#include <common.h>\n__kernel void lstmcell(__global float *x) { x[0] = 1; }\n");

            var set = KernelSourceSet.FromDirectory(dir.Path);
            var survey = KernelCatalog.Survey(set, V1_1_1);
            Assert.Equal(new[] { "concat/concat_channel", "conv_2d_1x1/conv_2d_1x1", "softmax/softmax" }, survey.Kernels.Select(k => k.ToString()));
            Assert.Equal(new[] { "concat/concat_channel_multi" }, survey.Missing.Select(k => k.ToString()));
            Assert.Equal(new[] { "concat/concat_extra", "lstm/lstmcell" }, survey.Unknown);
            Assert.All(survey.Kernels, k => Assert.Equal(set.Origin, k.Origin));
            Assert.All(survey.Kernels, k => Assert.Equal(set.HashStr(k.Program), k.ProgramHash));
            // The unchanged copies hash as the builtin ones do; the cut concat does not.
            var builtin = KernelCatalog.List(KernelSourceSet.Builtin, V1_1_1);
            Assert.Equal(builtin.Single(k => k.Kernel == "softmax").ProgramHash, survey.Kernels.Single(k => k.Kernel == "softmax").ProgramHash);
            Assert.NotEqual(builtin.Single(k => k.Kernel == "concat_channel").ProgramHash, survey.Kernels.Single(k => k.Kernel == "concat_channel").ProgramHash);
            Assert.Equal(survey.Kernels, KernelCatalog.List(set, V1_1_1), new DefinitionComparer());
        }

        [Fact]
        public void KernelsIn_finds_declarations_with_any_spacing()
        {
            Assert.Equal(new[] { "a", "b_2" }, KernelCatalog.KernelsIn("__kernel void a(int x) {}\n__kernel  void\nb_2 (int y) {}\n// kernel void c(\n__kernel void a(int x);"));
        }

        private sealed class DefinitionComparer : IEqualityComparer<MaceKernelDefinition>
        {
            public bool Equals(MaceKernelDefinition? a, MaceKernelDefinition? b) =>
                a != null && b != null && a.Program == b.Program && a.Kernel == b.Kernel && a.SourceHash == b.SourceHash;
            public int GetHashCode(MaceKernelDefinition d) => d.Kernel.GetHashCode();
        }
    }
}
