using System;
using System.Linq;
using MaceTools.Devices;
using MaceTools.OpenCL;
using MaceTools.Remote;

namespace MaceTools.Tests.OpenCLTests
{
    public class LoaderTests
    {
        [Fact]
        public void Candidates_follow_the_documented_order()
        {
            var c = ClApi.Candidates("/opt/x/libOpenCL.so");
            Assert.Equal("/opt/x/libOpenCL.so", c[0]);
            Assert.Equal("libOpenCL.so.1", c[1]);
            Assert.Equal("libOpenCL.so", c[2]);
            Assert.Equal("/system/vendor/lib64/libOpenCL.so", c[3]);
            int mali = c.ToList().FindIndex(x => x.EndsWith("libGLES_mali.so", StringComparison.Ordinal));
            int pvr = c.ToList().FindIndex(x => x.EndsWith("libPVROCL.so", StringComparison.Ordinal));
            int dll = c.ToList().IndexOf("OpenCL.dll");
            Assert.True(3 < mali && mali < pvr && pvr < dll && dll < c.Count - 1);
            Assert.EndsWith("OpenCL.framework/OpenCL", c[c.Count - 1]);
            Assert.Equal("libOpenCL.so.1", ClApi.Candidates(null)[0]);
        }

        [Fact]
        public void A_bad_override_is_an_error_that_names_it_and_says_how_to_install()
        {
            var e = Assert.Throws<MaceException>(() => ClApi.Load("/nonexistent/libOpenCL.so"));
            Assert.Equal(ErrorIds.OpenClNotFound, e.ErrorId);
            Assert.Contains("MACETOOLS_OPENCL_LIBRARY='/nonexistent/libOpenCL.so'", e.Message);
            Assert.Contains("apt-get install pocl-opencl-icd ocl-icd-libopencl1", e.Message);
        }

        [Fact]
        public void A_library_without_OpenCL_exports_is_refused()
        {
            var e = Assert.Throws<MaceException>(() => ClApi.Load("libz.so.1"));
            Assert.Contains("no clGetPlatformIDs", e.Message);
        }

        [Fact]
        public void The_runtime_only_loader_name_is_found()
        {
            Assert.Equal("libOpenCL.so.1", ClApi.Load(null).Library);
        }

        [Fact]
        public void Error_codes_have_their_cl_h_names()
        {
            Assert.Equal("CL_INVALID_BINARY", ClErrors.Name(-42));
            Assert.Equal("CL_BUILD_PROGRAM_FAILURE", ClErrors.Name(-11));
            Assert.Equal("CL_INVALID_VALUE", ClErrors.Name(-30));
            Assert.Equal("CL_UNKNOWN_ERROR(-9999)", ClErrors.Name(-9999));
            Assert.Contains("CL_INVALID_BINARY", new ClException("clCreateProgramWithBinary", -42).Message);
        }
    }

    public class DeviceDiscoveryTests
    {
        [Fact]
        public void Pocl_is_discovered_with_what_OpenCL_reports()
        {
            var d = Pocl.Devices.Single(x => x.PlatformName == "Portable Computing Language");
            Assert.Equal("FULL_PROFILE", d.PlatformProfile);
            Assert.StartsWith("OpenCL 3.0 PoCL", d.PlatformVersion);
            Assert.StartsWith("pthread", d.Name);
            Assert.Equal("CPU", d.Type);
            Assert.False(d.IsGpu);
            Assert.False(d.SupportsFp16);
            Assert.True(d.SupportsFp64);
            Assert.True(d.SupportsImages);
            Assert.Equal(3, d.MaxWorkItemSizes.Length);
            Assert.True(d.MaxWorkGroupSize >= 256);
            // Machines of this kind differ (an AMD EPYC's pocl reports no global memory cache, and 16384-wide images):
            // compare with what clinfo reads from the same driver, not with one machine's numbers.
            var clinfo = ClinfoRaw.Parse(LocalProcess.Run("clinfo", new[] { "--raw" }, null, TimeSpan.FromSeconds(60))!.Stdout)
                .Single(x => x.PlatformName == d.PlatformName && x.Name == d.Name);
            Assert.Equal(clinfo.ComputeUnits, d.ComputeUnits);
            Assert.Equal(clinfo.GlobalMemCacheSize, d.GlobalMemCacheSize);
            Assert.Equal(clinfo.GlobalMemSize, d.GlobalMemSize);
            Assert.Equal(clinfo.Image2DMaxWidth, d.Image2DMaxWidth);
            Assert.Equal(clinfo.MaxWorkGroupSize, d.MaxWorkGroupSize);
            Assert.True(d.GlobalMemSize > 0 && d.Image2DMaxWidth >= 8192);
            Assert.StartsWith("OpenCL C 1.2", d.OpenCLCVersion);
            Assert.Equal("libOpenCL.so.1", d.Library);
        }

        [Fact]
        public void Pocl_is_a_GPU_MACE_does_not_know()
        {
            var d = Pocl.Device;
            Assert.Equal(MaceGpuType.Unknown, d.GpuType);
            Assert.Equal("", d.MaceDeviceName);
            Assert.Equal("3.0", d.OpenCLVersion);
            Assert.False(d.NonUniformWorkGroup);
            // MACE looks only for GPU-type devices: on a CPU-only machine it would pick none.
            Assert.False(d.IsMaceDefault);
        }

        [Fact]
        public void The_platform_info_string_is_the_one_MACE_v111_wrote_on_pocl()
        {
            var d = Pocl.Device;
            string info = d.PlatformInfoFor(MaceVersion.Latest);
            Assert.Equal($"{d.PlatformName}, {d.PlatformProfile}, {d.PlatformVersion}, v1.1.1-0-g8c75d39", info);
            if (d.DriverVersion == "3.1+debian") // mace-formats.md §8, observed verbatim on this pocl build
                Assert.Equal("Portable Computing Language, FULL_PROFILE, OpenCL 3.0 PoCL 3.1+debian  Linux, None+Asserts, RELOC, SPIR, LLVM 15.0.6, SLEEF, DISTRO, POCL_DEBUG, v1.1.1-0-g8c75d39", info);
            var parsed = PlatformInfo.Parse(info);
            Assert.Null(parsed.Problem);
            Assert.Equal(d.PlatformVersion, parsed.PlatformVersion);
            Assert.Equal("v1.1.1-0-g8c75d39", parsed.MaceVersionText);
            // Before v0.9 the string has no MACE version.
            Assert.Equal($"{d.PlatformName}, {d.PlatformProfile}, {d.PlatformVersion}", d.PlatformInfoFor(MaceVersion.Parse("v0.8.1")));
        }

        [Fact]
        public void Selection_by_id_by_name_and_by_default()
        {
            var all = Pocl.Devices;
            Assert.Same(all[0], LocalDevices.Select(all, "0"));
            Assert.Same(all[0], LocalDevices.Select(all, null));
            Assert.Same(all.Single(d => d.Name.StartsWith("pthread")), LocalDevices.Select(all, "PTHREAD"));
            var e = Assert.Throws<MaceException>(() => LocalDevices.Select(all, "7"));
            Assert.Equal(ErrorIds.DeviceNotFound, e.ErrorId);
            Assert.Contains("0: pthread", e.Message);
            Assert.Contains("no device name contains 'Adreno'", Assert.Throws<MaceException>(() => LocalDevices.Select(all, "Adreno")).Message);
            Assert.Contains("no OpenCL device found", Assert.Throws<MaceException>(() => LocalDevices.Select(new MaceDevice[0], null)).Message);
        }

        [Fact]
        public void The_device_class_depends_on_the_four_identity_strings_only()
        {
            var d = Pocl.Device;
            var same = new DeviceClass(d.PlatformVersion, d.Name, d.Version, d.DriverVersion);
            Assert.Equal(d.Class, same);
            Assert.Equal(12, d.Class.Id.Length);
            Assert.NotEqual(d.Class, new DeviceClass(d.PlatformVersion, d.Name, d.Version, "3.2"));
            Assert.NotEqual(d.Class.Id, new DeviceClass(d.PlatformVersion, d.Name + "x", d.Version, d.DriverVersion).Id);
        }

        [Fact]
        public void The_first_GPU_of_the_first_platform_is_MACEs_pick()
        {
            var devices = new[]
            {
                new MaceDevice { Id = "0", Index = 0, PlatformIndex = 0, Type = "CPU", Name = "cpu" },
                new MaceDevice { Id = "1", Index = 1, PlatformIndex = 0, Type = "GPU", Name = "QUALCOMM Adreno(TM)", IsMaceDefault = true },
            };
            Assert.Same(devices[1], LocalDevices.Select(devices, null));
        }
    }

    public class IdentityRuleTests
    {
        [Theory]
        [InlineData("QUALCOMM Adreno(TM)", "OpenCL 2.0 Adreno(TM) 640", MaceGpuType.Adreno, "Adreno(TM) 640")]
        [InlineData("QUALCOMM Adreno(TM)", "OpenCL", MaceGpuType.Adreno, "")]
        [InlineData("Mali-G76", "OpenCL 2.1 v1.r20p0-01rel0.3c1c24cb7710121ad59f6bdaee909f9f", MaceGpuType.Mali, "Mali-G76")]
        [InlineData("PowerVR Rogue GE8320", "OpenCL 1.2 ", MaceGpuType.PowerVR, "PowerVR Rogue GE8320")]
        [InlineData("Qualcomm Adreno(TM)", "OpenCL 2.0 Adreno(TM) 640", MaceGpuType.Unknown, "")] // exact match only
        [InlineData("pthread-haswell-AMD EPYC", "OpenCL 3.0 PoCL HSTR: pthread-x86_64-pc-linux-gnu-haswell", MaceGpuType.Unknown, "")]
        public void Gpu_type_and_device_name_follow_MACE(string name, string version, MaceGpuType type, string maceName)
        {
            Assert.Equal(type, DeviceIdentity.GpuType(name));
            Assert.Equal(maceName, DeviceIdentity.MaceDeviceName(name, version));
        }

        [Theory]
        [InlineData("OpenCL 2.0 Adreno(TM) 640", "v0.10.1-rc4", true)]
        [InlineData("OpenCL 2.1 Adreno(TM) 650", "v0.11.0", false)] // up to v0.11 only exactly 2.0
        [InlineData("OpenCL 2.1 Adreno(TM) 650", "v0.12.0", true)]
        [InlineData("OpenCL 3.0 Adreno(TM) 730", "v1.1.1", true)]
        [InlineData("OpenCL 1.2 Adreno(TM) 506", "v1.1.1", false)]
        public void Non_uniform_work_groups_follow_the_version_rule(string deviceVersion, string mace, bool expected)
        {
            var gpu = DeviceIdentity.GpuType("QUALCOMM Adreno(TM)");
            Assert.Equal(expected, DeviceIdentity.NonUniformWorkGroup(gpu, DeviceIdentity.OpenClVersion(deviceVersion), MaceVersion.Parse(mace)));
            Assert.False(DeviceIdentity.NonUniformWorkGroup(MaceGpuType.Mali, "2.0", MaceVersion.Parse(mace)));
        }

        [Fact]
        public void The_real_fixtures_platform_strings_are_reproduced_from_their_parts()
        {
            foreach (var name in new[] { Fixtures.Adreno, Fixtures.Mali })
            {
                var file = MaceProgram.Load(Fixtures.Path(name));
                var p = file.Platform!;
                Assert.Equal(file.PlatformInfo, DeviceIdentity.PlatformInfo(p.PlatformName, p.Profile, p.PlatformVersion, MaceVersion.Parse(p.MaceVersionText!)));
            }
            // The Adreno file's keys carry -DNON_UNIFORM_WORK_GROUP: its OpenCL 2.0 device under v0.10.1 gets it.
            var adreno = MaceProgram.Load(Fixtures.Path(Fixtures.Adreno));
            Assert.All(adreno.Entries.Where(e => e.Kind == MaceEntryKind.Program), e => Assert.Contains("-DNON_UNIFORM_WORK_GROUP", e.Key));
            Assert.True(DeviceIdentity.NonUniformWorkGroup(MaceGpuType.Adreno, adreno.Platform!.OpenCLVersion, MaceVersion.Parse(adreno.MaceVersion!)));
            // The Mali file's do not.
            var mali = MaceProgram.Load(Fixtures.Path(Fixtures.Mali));
            Assert.DoesNotContain(mali.Entries, e => e.Key.Contains("NON_UNIFORM"));
        }

        [Theory]
        [InlineData("OpenCL 2.0 Adreno(TM) 640", "2.0")]
        [InlineData("OpenCL 3.0 PoCL HSTR: x", "3.0")]
        [InlineData("OpenCL 2.2 foo", null)] // MACE's MACE_CHECK fails on versions it does not list
        [InlineData("OpenCL", null)]
        public void OpenCL_version_is_the_second_word_when_MACE_knows_it(string deviceVersion, string? expected)
        {
            Assert.Equal(expected, DeviceIdentity.OpenClVersion(deviceVersion));
        }
    }
}
