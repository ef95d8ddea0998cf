using System.IO;
using System.Linq;
using MaceTools.Kernels;
using MaceTools.Operations;

namespace MaceTools.Tests.Operations
{
    /// <summary>Get-MaceKernel's operation: filters, ordering, the no-match rule, and -KernelSource directories.</summary>
    public class GetKernelOperationTests
    {
        private static string SourceDir => Path.Combine(Fixtures.RepoRoot, "src", "MaceTools.Core", "Kernels", "cl");

        private static RecordingHost Run(GetKernelOperation op, string? cwd = null)
        {
            var host = new RecordingHost(cwd);
            op.Run(host);
            return host;
        }

        [Fact]
        public void Without_filters_every_kernel_of_the_library_is_written_sorted_by_program_then_kernel()
        {
            var host = Run(new GetKernelOperation());
            var kernels = host.Of<MaceKernelDefinition>().ToList();
            Assert.Equal(host.Objects.Count, kernels.Count);
            Assert.Equal(KernelCatalog.Entries.Count, kernels.Count);
            Assert.Equal(kernels.OrderBy(k => k.Program, System.StringComparer.Ordinal).ThenBy(k => k.Kernel, System.StringComparer.Ordinal), kernels);
            Assert.Equal("activation", kernels[0].Program);
            Assert.Empty(host.Errors);
            Assert.Empty(host.Warnings);
        }

        [Fact]
        public void Name_and_Program_are_case_insensitive_wildcard_patterns_over_the_whole_name()
        {
            var byName = Run(new GetKernelOperation { Name = "CONV_2D*" }).Of<MaceKernelDefinition>().Select(k => k.Kernel);
            Assert.Equal(new[] { "conv_2d", "conv_2d_1x1", "conv_2d_3x3" }, byName);

            var byProgram = Run(new GetKernelOperation { Program = "buffer_to_image", Name = "*_image_to_buffer" }).Of<MaceKernelDefinition>().ToList();
            Assert.Equal(6, byProgram.Count);
            Assert.All(byProgram, k => Assert.Equal("image_to_buffer", k.Op));

            var exact = Run(new GetKernelOperation { Name = "reduce" }).Of<MaceKernelDefinition>().Single();
            Assert.Equal("ruuBvy", exact.Symbol);

            var set = Run(new GetKernelOperation { Name = "[cp]*", Program = "p?d" }).Of<MaceKernelDefinition>().Single();
            Assert.Equal("pad", set.Kernel);
        }

        [Fact]
        public void A_Name_that_matches_nothing_is_an_error_naming_the_pattern()
        {
            var host = Run(new GetKernelOperation { Name = "lstm*" });
            Assert.Empty(host.Objects);
            var e = Assert.Single(host.Errors);
            Assert.Equal(ErrorIds.KernelNotFound, e.ErrorId);
            Assert.Equal(MaceErrorCategory.ObjectNotFound, e.Category);
            Assert.Equal("lstm*", e.Target);
            Assert.StartsWith("lstm*: no kernel matches", e.Message);

            // A kernel of another program than the one selected does not match either.
            var other = Run(new GetKernelOperation { Name = "softmax", Program = "conv*" });
            Assert.Contains("in the programs matching 'conv*'", Assert.Single(other.Errors).Message);
        }

        [Fact]
        public void A_Program_that_matches_nothing_is_an_error_naming_the_pattern()
        {
            var host = Run(new GetKernelOperation { Program = "lstm*" });
            Assert.Empty(host.Objects);
            var e = Assert.Single(host.Errors);
            Assert.Equal(ErrorIds.KernelNotFound, e.ErrorId);
            Assert.Equal("lstm*", e.Target);
            Assert.StartsWith("lstm*: no program matches", e.Message);
            Assert.Contains("conv_2d_1x1", e.Message);
        }

        [Fact]
        public void The_version_decides_the_source_hash_not_the_program_hash()
        {
            // Before v0.12 every header of the directory replaces the include line; from v0.12 only common.h is prepended.
            using var dir = new TempDir();
            File.Copy(Path.Combine(SourceDir, "common.h"), dir.File("common.h"));
            File.Copy(Path.Combine(SourceDir, "softmax.cl"), dir.File("softmax.cl"));
            File.WriteAllText(dir.File("extra.h"), "#define EXTRA 1\n");
            var v09 = MaceVersion.Parse("v0.9.0");
            var latest = Run(new GetKernelOperation { KernelSource = dir.Path }).Of<MaceKernelDefinition>().Single();
            var old = Run(new GetKernelOperation { KernelSource = dir.Path, Version = v09 }).Of<MaceKernelDefinition>().Single();
            Assert.Equal(latest.ProgramHash, old.ProgramHash);
            Assert.NotEqual(latest.SourceHash, old.SourceHash);
            var set = KernelSourceSet.FromDirectory(dir.Path);
            Assert.Equal(set.SourceHash("softmax", v09), old.SourceHash);
            Assert.Equal(set.SourceHash("softmax", MaceVersion.Latest), latest.SourceHash);
            Assert.Equal("v0.9.0", old.MaceVersion);
        }

        [Fact]
        public void A_KernelSource_directory_relative_to_the_current_directory_lists_its_programs_and_warns_about_missing_kernels()
        {
            using var dir = new TempDir();
            string cl = Path.Combine(dir.Path, "cl");
            Directory.CreateDirectory(cl);
            File.Copy(Path.Combine(SourceDir, "common.h"), Path.Combine(cl, "common.h"));
            File.Copy(Path.Combine(SourceDir, "pooling.cl"), Path.Combine(cl, "pooling.cl"));
            File.WriteAllText(Path.Combine(cl, "reduce.cl"), "#include <common.h>\n__kernel void reduce_hw(__global float *x) { x[0] = 0; }\n__kernel void reduce_max(__global float *x) { x[0] = 1; }\n");

            var host = Run(new GetKernelOperation { KernelSource = "cl" }, dir.Path);
            var kernels = host.Of<MaceKernelDefinition>().ToList();
            Assert.Equal(new[] { "pooling/pooling", "reduce/reduce_hw" }, kernels.Select(k => k.ToString()));
            Assert.All(kernels, k => Assert.Equal(Path.GetFullPath(cl), k.Origin));
            // Both catalog kernels of reduce.cl that this one lacks: MACE v1.0's reduce and v1.1's reduce_c.
            Assert.Equal(2, host.Warnings.Count);
            Assert.Contains(host.Warnings, w => w.Contains("reduce.cl defines no kernel 'reduce'"));
            Assert.Contains(host.Warnings, w => w.Contains("reduce.cl defines no kernel 'reduce_c'"));
            Assert.Contains(host.Verbose, v => v.Contains("reduce/reduce_max is not in MaceTools' kernel catalog"));
            Assert.Empty(host.Errors);

            // The warning follows the filters: a kernel that is not asked for is not warned about.
            var filtered = Run(new GetKernelOperation { KernelSource = "cl", Name = "pool*" }, dir.Path);
            Assert.Empty(filtered.Warnings);
            Assert.Single(filtered.Objects);
        }

        [Fact]
        public void A_KernelSource_directory_without_catalog_kernels_is_a_warning()
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.File("lstm.cl"), "__kernel void lstmcell(__global float *x) { x[0] = 1; }\n");
            var host = Run(new GetKernelOperation { KernelSource = dir.Path });
            Assert.Empty(host.Objects);
            Assert.Empty(host.Errors);
            Assert.Contains("none of its 1 programs defines a kernel", Assert.Single(host.Warnings));
        }

        [Fact]
        public void A_missing_KernelSource_directory_stops_the_operation()
        {
            using var dir = new TempDir();
            var e = Assert.Throws<MaceException>(() => Run(new GetKernelOperation { KernelSource = "nowhere" }, dir.Path));
            Assert.Equal(ErrorIds.FileNotFound, e.ErrorId);
        }
    }
}
