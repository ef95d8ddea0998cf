using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using MaceTools.Kernels;

namespace MaceTools.Tests.Kernels
{
    /// <summary>KernelSourceSet: MACE's source assembly rules (mace-formats.md §3.3), hash_str_, errors, and the builtin kernels.</summary>
    public sealed class KernelSourceSetTests : IDisposable
    {
        private const string Common = "// common header\n#define ONE 1\n";
        private const string Extra = "#define TWO 2\n";
        private const string A = "// program a\n#include <common.h>\n__kernel void a_kernel(__global float *x) { x[0] = ONE; }\n";
        // CRLF line ends, two include lines, and a last line ending in a lone CR.
        private const string B = "#include <common.h>\r\n__kernel void b_kernel(__global float *x) { x[0] = 1; }\r\n#include <common.h>\r\n// end\r";
        private const string C = "__kernel void c_kernel(__global float *x) { x[0] = 2; }\n";

        // md5sum of the bytes above (computed outside the code under test), last 10 hex digits.
        private const string CommonMd5Tail = "7becbd5411"; // 0750385c6b793ef9a585707becbd5411
        private const string AMd5Tail = "6d8ef30698";      // ce0d1743b09c2f0574955d6d8ef30698
        private const string BMd5Tail = "bcdc994ceb";      // b8b81a11acf043e9bbb616bcdc994ceb
        private const string CMd5Tail = "cf0c1e0ae9";      // 85a8097cde7889b42c87d8cf0c1e0ae9

        private static readonly MaceVersion V0_10 = MaceVersion.Parse("v0.10.1-rc4-0-gb83487a");
        private static readonly MaceVersion V0_11 = MaceVersion.Parse("v0.11.0");
        private static readonly MaceVersion V0_12 = MaceVersion.Parse("v0.12.0-28-gc4c1b28");
        private static readonly MaceVersion V1_1_1 = MaceVersion.Parse("v1.1.1-0-g8c75d39");

        /// <summary>Program -> kernel names that MACE's keys refer to with -D&lt;kernel&gt;=&lt;symbol&gt;.</summary>
        public static readonly IReadOnlyDictionary<string, string[]> ExpectedKernels = new Dictionary<string, string[]>
        {
            ["activation"] = new[] { "activation" },
            ["batch_norm"] = new[] { "batch_norm" },
            ["buffer_to_image"] = new[]
            {
                "filter_buffer_to_image", "dw_filter_buffer_to_image", "in_out_buffer_to_image", "in_out_image_to_buffer",
                "arg_buffer_to_image", "weight_width_buffer_to_image",
            },
            ["concat"] = new[] { "concat_channel", "concat_channel_multi" },
            ["conv_2d"] = new[] { "conv_2d" },
            ["conv_2d_1x1"] = new[] { "conv_2d_1x1" },
            ["conv_2d_3x3"] = new[] { "conv_2d_3x3" },
            ["depthwise_conv2d"] = new[] { "depthwise_conv2d", "depthwise_conv2d_s1" },
            ["eltwise"] = new[] { "eltwise" },
            ["fully_connected"] = new[] { "fully_connected", "fully_connected_width" },
            ["pooling"] = new[] { "pooling" },
            ["reduce"] = new[] { "reduce", "reduce_hw" },
            ["resize_bilinear"] = new[] { "resize_bilinear_nocache" },
            ["softmax"] = new[] { "softmax" },
        };

        private readonly string _dir;

        public KernelSourceSetTests()
        {
            _dir = Path.Combine(Path.GetTempPath(), "macetools-kernels-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_dir);
        }

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        private string Write(string name, string text, string? dir = null)
        {
            string path = Path.Combine(dir ?? _dir, name);
            File.WriteAllBytes(path, Encoding.UTF8.GetBytes(text));
            return path;
        }

        private KernelSourceSet Sample(bool withExtraHeader = true)
        {
            Write("common.h", Common);
            if (withExtraHeader) Write("extra.h", Extra);
            Write("a.cl", A);
            Write("b.cl", B);
            Write("c.cl", C);
            Write("notes.txt", "not a kernel");
            return KernelSourceSet.FromDirectory(_dir);
        }

        [Fact]
        public void FromDirectory_ListsProgramsSortedAndNamesTheDirectory()
        {
            var set = Sample();
            Assert.Equal(new[] { "a", "b", "c" }, set.Programs);
            Assert.Equal(Path.GetFullPath(_dir), set.Origin);
            Assert.True(set.Contains("a"));
            Assert.False(set.Contains("common"));
            Assert.False(set.Contains("A"));
        }

        [Fact]
        public void Assemble_FromV0_12_PrependsCommonOncePerIncludeAndDropsTheLine()
        {
            var set = Sample();
            foreach (var v in new[] { V0_12, V1_1_1 })
            {
                // Only common.h is a header module; extra.h is not prepended.
                Assert.Equal(Common + "// program a\n__kernel void a_kernel(__global float *x) { x[0] = ONE; }\n", set.Assemble("a", v));
                Assert.Equal(Common + Common + "__kernel void b_kernel(__global float *x) { x[0] = 1; }\n// end\n", set.Assemble("b", v));
                Assert.Equal(C, set.Assemble("c", v));
            }
        }

        [Fact]
        public void Assemble_UpToV0_11_ReplacesEachIncludeLineWithAllHeaders()
        {
            var set = Sample();
            string headers = Common + Extra; // ordinal file-name order: common.h, extra.h
            foreach (var v in new[] { V0_10, V0_11 })
            {
                Assert.Equal("// program a\n" + headers + "__kernel void a_kernel(__global float *x) { x[0] = ONE; }\n", set.Assemble("a", v));
                Assert.Equal(headers + "__kernel void b_kernel(__global float *x) { x[0] = 1; }\n" + headers + "// end\n", set.Assemble("b", v));
                Assert.Equal(C, set.Assemble("c", v));
            }
        }

        [Fact]
        public void Assemble_NormalisesCrlfInHeadersToo()
        {
            Write("common.h", "#define ONE 1\r\n#define TWO 2\r\n");
            Write("a.cl", "#include <common.h>\r\nint x;\r\n");
            var set = KernelSourceSet.FromDirectory(_dir);
            Assert.Equal("#define ONE 1\n#define TWO 2\nint x;\n", set.Assemble("a", V1_1_1));
            Assert.Equal("#define ONE 1\n#define TWO 2\nint x;\n", set.Assemble("a", V0_10));
            Assert.DoesNotContain("\r", set.Assemble("a", V1_1_1));
        }

        [Fact]
        public void HashStr_IsMd5TailOfFileThenCommonPerInclude()
        {
            var set = Sample();
            Assert.Equal(AMd5Tail + CommonMd5Tail, set.HashStr("a"));
            Assert.Equal(BMd5Tail + CommonMd5Tail + CommonMd5Tail, set.HashStr("b"));
            Assert.Equal(CMd5Tail, set.HashStr("c"));
        }

        [Fact]
        public void SourceHash_IsSha256OfTheAssembledText()
        {
            var set = Sample();
            foreach (var v in new[] { V0_10, V1_1_1 })
            {
                using var sha = SHA256.Create();
                string expected = string.Concat(sha.ComputeHash(Encoding.UTF8.GetBytes(set.Assemble("b", v))).Select(x => x.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
                Assert.Equal(expected, set.SourceHash("b", v));
            }
            // a's include is not on the first line, so the two generations assemble different text.
            Assert.NotEqual(set.SourceHash("a", V0_10), set.SourceHash("a", V1_1_1));
            Assert.Equal(64, set.SourceHash("a", V1_1_1).Length);
        }

        [Fact]
        public void UnknownProgram_NamesTheProgramAndTheOrigin()
        {
            var set = Sample();
            foreach (Action call in new Action[]
            {
                () => set.Assemble("nope", V1_1_1),
                () => set.HashStr("nope"),
                () => set.SourceHash("nope", V0_10),
            })
            {
                var e = Assert.ThrowsAny<MaceException>(call);
                Assert.Equal(ErrorIds.InvalidArgument, e.ErrorId);
                Assert.Contains("nope", e.Message);
                Assert.Contains(set.Origin, e.Message);
            }
        }

        [Fact]
        public void FromDirectory_MissingDirectory_IsFileNotFound()
        {
            string missing = Path.Combine(_dir, "no-such-dir");
            var e = Assert.ThrowsAny<MaceException>(() => KernelSourceSet.FromDirectory(missing));
            Assert.Equal(ErrorIds.FileNotFound, e.ErrorId);
            Assert.Equal(MaceErrorCategory.ObjectNotFound, e.Category);
            Assert.Contains(missing, e.Message);
        }

        [Fact]
        public void FromDirectory_IncludedCommonHeaderMissing_IsFileNotFound()
        {
            Write("a.cl", A);
            var e = Assert.ThrowsAny<MaceException>(() => KernelSourceSet.FromDirectory(_dir));
            Assert.Equal(ErrorIds.FileNotFound, e.ErrorId);
            Assert.Contains("common.h", e.Message);
            Assert.Contains("a.cl", e.Message);
        }

        [Fact]
        public void FromDirectory_NoIncludeNeedsNoHeader()
        {
            Write("c.cl", C);
            var set = KernelSourceSet.FromDirectory(_dir);
            Assert.Equal(C, set.Assemble("c", V1_1_1));
            Assert.Equal(C, set.Assemble("c", V0_10));
        }

        [Fact]
        public void FromDirectory_WithoutClFiles_IsInvalidArgument()
        {
            Write("common.h", Common);
            var e = Assert.ThrowsAny<MaceException>(() => KernelSourceSet.FromDirectory(_dir));
            Assert.Equal(ErrorIds.InvalidArgument, e.ErrorId);
            Assert.Contains(Path.GetFullPath(_dir), e.Message);
        }

        [Fact]
        public void Builtin_ListsEveryProgram()
        {
            var set = KernelSourceSet.Builtin;
            Assert.Equal("builtin", set.Origin);
            foreach (string program in ExpectedKernels.Keys) Assert.True(set.Contains(program), program);
            Assert.Equal(set.Programs.OrderBy(p => p, StringComparer.Ordinal), set.Programs);
        }

        [Fact]
        public void Builtin_EveryProgramDeclaresItsKernels()
        {
            var set = KernelSourceSet.Builtin;
            foreach (var pair in ExpectedKernels)
            {
                string text = set.Assemble(pair.Key, V1_1_1);
                foreach (string kernel in pair.Value)
                    Assert.True(Regex.IsMatch(text, @"__kernel\s+void\s+" + Regex.Escape(kernel) + @"\s*\("), $"{pair.Key}: no __kernel void {kernel}(");
            }
        }

        [Fact]
        public void Builtin_EveryProgramIncludesCommonExactlyOnceOnItsFirstLine()
        {
            var set = KernelSourceSet.Builtin;
            string dir = Path.Combine(Fixtures.RepoRoot, "src", "MaceTools.Core", "Kernels", "cl");
            foreach (string program in set.Programs)
            {
                string raw = File.ReadAllText(Path.Combine(dir, program + ".cl"));
                Assert.StartsWith("#include <common.h>\n", raw.Replace("\r\n", "\n"));
                Assert.Single(Regex.Matches(raw, "#include <common.h>"));
                Assert.Equal(20, set.HashStr(program).Length);
                // Include on the first line: both generations hand the driver the same text.
                Assert.Equal(set.Assemble(program, V0_10), set.Assemble(program, V1_1_1));
                Assert.DoesNotContain("#include", set.Assemble(program, V1_1_1));
            }
        }

        [Fact]
        public void Builtin_MatchesTheSourceFilesInTheRepository()
        {
            var fromDisk = KernelSourceSet.FromDirectory(Path.Combine(Fixtures.RepoRoot, "src", "MaceTools.Core", "Kernels", "cl"));
            var builtin = KernelSourceSet.Builtin;
            Assert.Equal(fromDisk.Programs, builtin.Programs);
            foreach (string program in builtin.Programs)
            {
                Assert.Equal(fromDisk.Assemble(program, V1_1_1), builtin.Assemble(program, V1_1_1));
                Assert.Equal(fromDisk.HashStr(program), builtin.HashStr(program));
            }
        }

        [Fact]
        public void Builtin_CommonHeaderEnablesHalfOnlyWhereTheDeviceHasIt()
        {
            // An unconditional "#pragma OPENCL EXTENSION cl_khr_fp16 : enable" is a warning on devices without half
            // (pocl), and MACE builds with -Werror.
            string text = KernelSourceSet.Builtin.Assemble("softmax", V1_1_1);
            int pragma = text.IndexOf("#pragma OPENCL EXTENSION cl_khr_fp16", StringComparison.Ordinal);
            Assert.True(pragma > 0);
            string before = text.Substring(0, pragma);
            Assert.True(before.LastIndexOf("#ifdef cl_khr_fp16", StringComparison.Ordinal) > before.LastIndexOf("#endif", StringComparison.Ordinal));
        }
    }
}
