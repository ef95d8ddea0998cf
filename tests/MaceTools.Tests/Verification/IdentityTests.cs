using MaceTools.Formats;

namespace MaceTools.Tests.Verification
{
    public class IdentityTests
    {
        [Theory]
        // mace-formats.md §3.2 (also present in the real files)
        [InlineData("conv_2d_1x1", "c44CimyloKq")]
        [InlineData("conv_2d_3x3", "c44CimylqKs")]
        [InlineData("conv_2d", "c44Cimy")]
        [InlineData("depthwise_conv2d", "du6A0F3D1n1DDMv7")]
        [InlineData("pooling", "p453171")]
        [InlineData("eltwise", "e1_D1Bz")]
        [InlineData("activation", "as_0DuD4AA")]
        [InlineData("softmax", "s4wA5uH")]
        [InlineData("fully_connected_width", "f_23Gjx__A32J66tQD_QF")]
        [InlineData("concat_channel", "c44utCky4yBC5C")]
        [InlineData("resize_bilinear_nocache", "ru90Hykx597C52JtHJ98AGE")]
        [InlineData("in_out_buffer_to_image", "i3g6CCkxG344HrLHuDI8ED")]
        [InlineData("transform_conv_filter", "t7r5Az9C9n1DDMs9CGPBP")]
        [InlineData("conv2d_1x1_opencl_kernel_1_112_112_64", "c44ClxknJpoDF6F6FvGBPMEM25478_8ABDBJI")]
        [InlineData("arg_buffer_to_image_[10]", "a7xhuD011EoIErAF5BAx[11]")]
        public void ObfuscateSymbol_matches_MACE_and_inverts(string plain, string obfuscated)
        {
            Assert.Equal(obfuscated, SymbolObfuscation.Obfuscate(plain));
            Assert.Equal(plain, SymbolObfuscation.Deobfuscate(obfuscated));
        }

        [Fact]
        public void ObfuscateSymbol_keeps_MACEs_upper_case_bug()
        {
            // 'A' maps to index 10+26+('A'-'a') = 4, the same as '4': the upper-case letter and the digit collide.
            Assert.Equal(SymbolObfuscation.Obfuscate("x4"), SymbolObfuscation.Obfuscate("xA"));
        }

        [Fact]
        public void Program_key_is_sorted_deduplicated_and_keeps_the_empty_option()
        {
            Assert.Equal("conv_2d_3x3  -DCMD_DATA_TYPE=f -DDATA_TYPE=float",
                ProgramKey.Build("conv_2d_3x3", new[] { "-DDATA_TYPE=float", "", "-DCMD_DATA_TYPE=f", "-DDATA_TYPE=float" }));
            Assert.Equal(" -DBIAS -Werror -cl-mad-enable -cl-fast-relaxed-math", ProgramKey.CompilerFlags("conv_2d -DBIAS"));
            var k = ProgramKey.Parse("buffer_to_image -DCMD_DATA_TYPE=f -Din_out_buffer_to_image=i3g6CCkxG344HrLHuDI8ED");
            Assert.Equal("buffer_to_image", k.Program);
            Assert.Equal("in_out_buffer_to_image", k.Kernel!.Name);
            Assert.True(k.Kernel.Obfuscated);
            Assert.False(ProgramKey.Parse("conv_2d -Dconv_2d=conv_2d").Kernel!.Obfuscated);
            Assert.Null(ProgramKey.Parse("conv_2d -Dconv_2d=zzz").Kernel);
        }

        [Fact]
        public void Platform_info_splits_pocl_whose_version_holds_commas()
        {
            var p = PlatformInfo.Parse("Portable Computing Language, FULL_PROFILE, OpenCL 3.0 PoCL 3.1+debian  Linux, None+Asserts, RELOC, SPIR, LLVM 15.0.6, SLEEF, DISTRO, POCL_DEBUG, v1.1.1-0-g8c75d39");
            Assert.Null(p.Problem);
            Assert.Equal("Portable Computing Language", p.PlatformName);
            Assert.Equal("OpenCL 3.0 PoCL 3.1+debian  Linux, None+Asserts, RELOC, SPIR, LLVM 15.0.6, SLEEF, DISTRO, POCL_DEBUG", p.PlatformVersion);
            Assert.Equal("3.0", p.OpenCLVersion);
            Assert.Equal("v1.1.1-0-g8c75d39", p.MaceVersionText);
            Assert.Equal(new System.Version(1, 1, 1), p.MaceVersion!.Number);
            // MACE's IsCacheCompatible sees only the third comma field.
            Assert.Equal("OpenCL 3.0 PoCL 3.1+debian  Linux", p.CompatibilityVersion);
        }

        [Fact]
        public void Platform_info_of_v08_has_no_version_and_a_bad_one_says_why()
        {
            var v08 = PlatformInfo.Parse("ARM Platform, FULL_PROFILE, OpenCL 1.2 v1.r12p0");
            Assert.Null(v08.MaceVersion);
            Assert.Null(v08.Problem);
            Assert.Equal("ARM Platform, FULL_PROFILE, OpenCL 1.2 v1.r12p0, v1.0.4", v08.WithMaceVersion(MaceVersion.Parse("v1.0.4")));
            Assert.NotNull(PlatformInfo.Parse("garbage").Problem);
            Assert.NotNull(PlatformInfo.Parse("a, b, c").Problem);
        }

        [Theory]
        [InlineData("v1.1.1-0-g8c75d39", 1, 1, 1, MaceFileFormat.G2)]
        [InlineData("v1.0.4", 1, 0, 4, MaceFileFormat.G1)]
        [InlineData("v0.10.1-rc4-0-gb83487a", 0, 10, 1, MaceFileFormat.G1)]
        [InlineData("v0.9.0-12-gabcdef0-20180920", 0, 9, 0, MaceFileFormat.G1)]
        public void MaceVersion_parses_describe_strings(string text, int major, int minor, int patch, MaceFileFormat format)
        {
            var v = MaceVersion.Parse(text);
            Assert.Equal(new System.Version(major, minor, patch), v.Number);
            Assert.Equal(format, v.ProgramFormat);
            Assert.Equal(text, v.Text);
        }

        [Fact]
        public void MaceVersion_rejects_nonsense_with_a_clear_error()
        {
            var e = Assert.Throws<MaceException>(() => MaceVersion.Parse("latest"));
            Assert.Equal(ErrorIds.InvalidArgument, e.ErrorId);
            Assert.True(MaceVersion.Parse("v0.10.1-rc4").CompareTo(MaceVersion.Parse("v0.10.1")) < 0);
        }

        [Fact]
        public void Vendor_guess_recognises_the_real_binaries_and_others()
        {
            Assert.Equal(BinaryVendor.Pocl, VendorGuess.Guess(System.Text.Encoding.ASCII.GetBytes("poclbin\0rest")));
            Assert.Equal(BinaryVendor.Nvidia, VendorGuess.Guess(System.Text.Encoding.ASCII.GetBytes("//\n// Generated by NVIDIA NVVM Compiler\n.version 7.0\n.target sm_80\n")));
            Assert.Equal(BinaryVendor.Elf, VendorGuess.Guess(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 2 }));
            Assert.Equal(BinaryVendor.Unknown, VendorGuess.Guess(new byte[] { 1, 2, 3 }));
            Assert.Equal(BinaryVendor.Mali, MaceProgram.Load(Fixtures.Path(Fixtures.Mali)).Vendor);
        }
    }
}
