using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MaceTools.Compilation;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.Kernels;
using MaceTools.Operations;
using MaceTools.Tests.OpenCLTests;
using MaceTools.Tests.Operations;
using MaceTools.Verification;

namespace MaceTools.Tests.CompilationTests
{
    /// <summary>Compile on the real device (pocl), write, read back, load every entry; re-target real files.</summary>
    public class NewProgramTests
    {
        /// <summary>The program keys MACE v1.1.1 itself built on pocl for a small model (mace-formats.md §8).</summary>
        public static readonly string[] PoclV111Keys =
        {
            "buffer_to_image -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Darg_buffer_to_image=a7xhuD011EoIErAF5BA",
            "buffer_to_image -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Ddw_filter_buffer_to_image=dBgx15D0Dn0J677KuOKxGLAHG",
            "buffer_to_image -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Dfilter_buffer_to_image=fy2AxAkxG344HrLHuDI8ED",
            "buffer_to_image -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Din_out_buffer_to_image=i3g6CCkxG344HrLHuDI8ED",
            "buffer_to_image -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Din_out_image_to_buffer=i3g6CCk49y54qKGt6PBCCQ",
            "buffer_to_image -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Dweight_width_buffer_to_image=wuzy0CkH51H7q3M9__NxRN0JODKJ",
            "conv_2d_1x1 -DBIAS -DCMD_DATA_TYPE=f -DDATA_TYPE=float -DUSE_RELU -Dconv_2d_1x1=c44CimyloKq",
            "conv_2d_3x3 -DBIAS -DCMD_DATA_TYPE=f -DDATA_TYPE=float -DUSE_RELU -Dconv_2d_3x3=c44CimylqKs",
            "depthwise_conv2d -DBIAS -DCMD_DATA_TYPE=f -DDATA_TYPE=float -DSTRIDE=1 -DUSE_RELU -Ddepthwise_conv2d_s1=du6A0F3D1n1DDMv7uNy",
            "fully_connected -DBIAS -DCMD_DATA_TYPE=f -DDATA_TYPE=float -DNON_QUALCOMM_ADRENO -Dfully_connected_width=f_23Gjx__A32J66tQD_QF",
            "pooling -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Dpooling=p453171",
            "reduce -DCMD_DATA_TYPE=f -DDATA_TYPE=float -DNOT_DIVISIBLE_FOUR -DREDUCE_TYPE=0 -Dreduce_hw=ruuBvyk3I",
            "softmax -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Dsoftmax=s4wA5uH",
        };

        private static NewProgramOperation Op(TempDir tmp, params string[] keys) => new NewProgramOperation
        {
            Kernels = keys,
            Devices = new List<MaceDevice> { Pocl.Device },
            Cache = new BuildCache(tmp.File("cache")),
            Worker = Pocl.Worker,
        };

        [Fact]
        public void Compile_write_read_back_and_load_every_entry_on_the_device()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            var op = Op(tmp, PoclV111Keys);
            op.OutFile = "pocl.bin";
            op.Run(host);
            Assert.Empty(host.Errors);
            var written = Assert.Single(host.Of<MaceProgram>());
            Assert.Equal(tmp.File("pocl.bin"), written.Path);

            var file = MaceProgram.Load(tmp.File("pocl.bin"));
            Assert.Equal(MaceFileFormat.G2, file.Generation);
            Assert.Equal(13, file.ProgramCount);
            Assert.Equal(PoclV111Keys.OrderBy(k => k, StringComparer.Ordinal), file.Entries.Where(e => e.Kind == MaceEntryKind.Program).Select(e => e.Key));
            Assert.Equal(Pocl.Device.PlatformInfoFor(MaceVersion.Latest), file.PlatformInfo);
            Assert.Equal("", file.DeviceName); // written, empty, exactly as MACE does on a GPU it does not know
            Assert.Equal(BinaryVendor.Pocl, file.Vendor);
            foreach (var key in PoclV111Keys)
                Assert.Equal(KernelSourceSet.Builtin.HashStr(ProgramKey.Parse(key).Program), file.Entries.Single(e => e.Key == Keys.ProgramHashPrefix + key).Text);

            var result = TestProgramOperation.TestOnDevice(file.Path, new MaceTarget(), Pocl.Device, Pocl.Worker, host);
            Assert.Equal(13, result.Loads.Length);
            Assert.All(result.Loads, l => Assert.Equal(EntryLoadStatus.Loaded, l.Status));
            Assert.DoesNotContain(result.Findings, f => f.Code.StartsWith("Entry") || f.Code == "KernelMissing");
            // MACE v1.1.1 on pocl: the precompiled file is used (exact platform string); the runtime cache is cleared (device name "").
            Assert.Equal(RuntimeOutcome.Used, result.Verdicts.Single(v => v.Usage == MaceFileUsage.Precompiled).Outcome);
            var cache = result.Verdicts.Single(v => v.Usage == MaceFileUsage.Cache);
            Assert.Equal(RuntimeOutcome.Rebuilt, cache.Outcome);
            Assert.Contains("device name is empty", cache.Message);
        }

        [Fact]
        public void The_real_Adreno_file_is_retargeted_onto_pocl_and_its_fp16_entries_are_reported_not_crashed()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            var op = Op(tmp);
            op.From = Fixtures.Path(Fixtures.Adreno);
            op.Destination = tmp.Path;
            op.Run(host);

            var adreno = MaceProgram.Load(Fixtures.Path(Fixtures.Adreno));
            int half = adreno.Entries.Count(e => e.Kind == MaceEntryKind.Program && e.Key.Contains("DATA_TYPE=half"));
            Assert.True(half > 0);
            // A device without cl_khr_fp16 is an expected limit: one warning for the device, each key under -Verbose, no error.
            Assert.Empty(host.Errors);
            var warning = Assert.Single(host.Warnings, w => w.Contains("cl_khr_fp16"));
            Assert.StartsWith($"{half} half-precision program(s) not built", warning);
            Assert.Equal(half, host.Verbose.Count(v => v.Contains("not built") && v.Contains("cl_khr_fp16")));

            var file = Assert.Single(host.Of<MaceProgram>());
            Assert.Equal($"mace_compiled_opencl_kernel.{Pocl.Device.Model}.host.bin", Path.GetFileName(file.Path));
            var keys = file.Entries.Where(e => e.Kind == MaceEntryKind.Program).Select(e => e.Key).ToList();
            Assert.Equal(adreno.ProgramCount - half, keys.Count);
            // Re-targeted as MACE computes keys on pocl: no NON_UNIFORM_WORK_GROUP (not Adreno).
            Assert.DoesNotContain(keys, k => k.Contains("NON_UNIFORM_WORK_GROUP"));
            Assert.Contains("conv_2d_3x3  -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Dconv_2d_3x3=c44CimylqKs", keys); // the empty option's double space survives
            Assert.Contains(host.Warnings, w => w.Contains($"{half} of {adreno.ProgramCount} programs are missing"));

            var loads = DeviceLoader.LoadAll(file, Pocl.Device, Pocl.Worker, host);
            Assert.All(loads, l => Assert.Equal(EntryLoadStatus.Loaded, l.Status));
        }

        [Fact]
        public void The_real_Mali_files_fp32_program_set_rebuilds_on_pocl_from_our_sources()
        {
            // Every float program of a real Mali G76 cache (MACE v0.12), re-targeted to pocl, builds from our kernels and
            // loads; the half ones are refused for want of cl_khr_fp16, never crashed.
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            var op = Op(tmp);
            op.From = Fixtures.Path(Fixtures.Mali);
            op.Destination = tmp.Path;
            op.Run(host);

            var mali = MaceProgram.Load(Fixtures.Path(Fixtures.Mali));
            var fp32 = mali.Entries.Where(e => e.Kind == MaceEntryKind.Program && !e.Key.Contains("DATA_TYPE=half")).Select(e => e.Key).ToList();
            Assert.Equal(21, fp32.Count); // of 25 programs: four are half
            Assert.Empty(host.Errors);
            Assert.StartsWith($"{mali.ProgramCount - fp32.Count} half-precision program(s) not built", Assert.Single(host.Warnings, w => w.Contains("cl_khr_fp16")));
            var file = Assert.Single(host.Of<MaceProgram>());
            var built = file.Entries.Where(e => e.Kind == MaceEntryKind.Program).Select(e => e.Key).OrderBy(k => k, StringComparer.Ordinal).ToList();
            // Not Adreno, so the keys stay as Mali had them (NON_QUALCOMM_ADRENO kept, no NON_UNIFORM_WORK_GROUP).
            Assert.Equal(fp32.OrderBy(k => k, StringComparer.Ordinal), built);
            Assert.All(DeviceLoader.LoadAll(file, Pocl.Device, Pocl.Worker, host), l => Assert.Equal(EntryLoadStatus.Loaded, l.Status));
        }

        [Fact]
        public void One_build_gives_a_G1_file_for_v104_and_a_G2_file_for_v111_the_second_from_the_cache()
        {
            using var tmp = new TempDir();
            var keys = PoclV111Keys.Take(4).ToArray();
            var host = new RecordingHost(tmp.Path);
            var g2 = Op(tmp, keys);
            g2.OutFile = "v111.bin";
            g2.Run(host);
            var g1 = Op(tmp, keys);
            g1.OutFile = "v104.bin";
            g1.Version = MaceVersion.Parse("v1.0.4-0-g1e7f1b4");
            var host2 = new RecordingHost(tmp.Path);
            g1.Run(host2);
            Assert.Empty(host.Errors);
            Assert.Empty(host2.Errors);
            Assert.Contains(host2.Verbose, v => v.Contains("all 4 program(s) came from the build cache"));

            var a = MaceProgram.Load(tmp.File("v111.bin"));
            var b = MaceProgram.Load(tmp.File("v104.bin"));
            Assert.Equal(MaceFileFormat.G2, a.Generation);
            Assert.Equal(MaceFileFormat.G1, b.Generation);
            Assert.Null(b.DeviceName);
            Assert.DoesNotContain(b.Entries, e => e.Kind == MaceEntryKind.ProgramHash);
            Assert.EndsWith(", v1.0.4-0-g1e7f1b4", b.PlatformInfo);
            Assert.EndsWith(", v1.1.1-0-g8c75d39", a.PlatformInfo);
            foreach (var key in keys)
                Assert.Equal(a.Entries.Single(e => e.Key == key).Sha256, b.Entries.Single(e => e.Key == key).Sha256);
            // Both files are what their MACE version accepts as a precompiled binary on this device.
            foreach (var (file, version) in new[] { (a, MaceVersion.Latest), (b, MaceVersion.Parse("v1.0.4-0-g1e7f1b4")) })
            {
                var verdicts = RuntimeRules.Evaluate(file, Pocl.Device.TargetFor(version));
                Assert.Equal(RuntimeOutcome.Used, verdicts.Single(v => v.Usage == MaceFileUsage.Precompiled).Outcome);
            }
        }

        [Fact]
        public void A_source_error_is_an_error_with_its_build_log_and_the_rest_is_written()
        {
            using var tmp = new TempDir();
            string src = tmp.File("cl");
            Directory.CreateDirectory(src);
            File.WriteAllText(Path.Combine(src, "common.h"), "#define DATA4 float4\n");
            File.WriteAllText(Path.Combine(src, "good.cl"), "#include <common.h>\n__kernel void good(__global float* x) { x[0] = 1.0f; }\n");
            File.WriteAllText(Path.Combine(src, "bad.cl"), "#include <common.h>\n__kernel void bad(__global float* x) { x[0] = undefined_thing; }\n");
            var host = new RecordingHost(tmp.Path);
            var op = Op(tmp, "good", "bad", "missing");
            op.KernelSource = src;
            op.OutFile = "out.bin";
            op.Run(host);

            var buildError = Assert.Single(host.Errors, e => e.ErrorId == ErrorIds.BuildFailed);
            Assert.Contains("bad: build failed", buildError.Message);
            Assert.Contains("CL_BUILD_PROGRAM_FAILURE", buildError.Message);
            Assert.Contains("undefined_thing", buildError.Message); // the driver's build log
            Assert.Contains(host.Errors, e => e.ErrorId == ErrorIds.Unsupported && e.Message.Contains("no source for program 'missing'"));
            var file = MaceProgram.Load(tmp.File("out.bin"));
            Assert.Equal(new[] { "good" }, file.Entries.Where(e => e.Kind == MaceEntryKind.Program).Select(e => e.Key));
            Assert.Contains(host.Warnings, w => w.Contains("2 of 3 programs are missing"));
        }

        [Fact]
        public void What_if_builds_nothing_onto_disk_and_no_clobber_keeps_the_old_file()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path, shouldProcess: false);
            var op = Op(tmp, PoclV111Keys[12]);
            op.OutFile = "x.bin";
            op.Run(host);
            Assert.False(File.Exists(tmp.File("x.bin")));
            Assert.Contains("Write 1 program(s)", Assert.Single(host.ShouldProcessCalls).Action);

            File.WriteAllText(tmp.File("x.bin"), "precious");
            var keep = Op(tmp, PoclV111Keys[12]);
            keep.OutFile = "x.bin";
            keep.NoClobber = true;
            var e = Assert.Throws<MaceException>(() => keep.Run(new RecordingHost(tmp.Path)));
            Assert.Equal(ErrorIds.OutputExists, e.ErrorId);
            Assert.Equal("precious", File.ReadAllText(tmp.File("x.bin")));
        }

        [Fact]
        public void Nothing_to_build_and_one_out_file_for_two_device_classes_are_errors()
        {
            using var tmp = new TempDir();
            Assert.Contains("nothing to build", Assert.Throws<MaceException>(() => Op(tmp).Run(new RecordingHost(tmp.Path))).Message);
            var other = new MaceDevice { Id = "9", Index = 9, Name = "Mali-G76", Version = "OpenCL 2.1 v1.r20p0", DriverVersion = "r20p0", PlatformVersion = "OpenCL 2.1" };
            var op = Op(tmp, PoclV111Keys[12]);
            op.Devices.Add(other);
            op.OutFile = "one.bin";
            var e = Assert.Throws<MaceException>(() => op.Run(new RecordingHost(tmp.Path)));
            Assert.Contains("2 device classes", e.Message);
        }

        [Fact]
        public void Keys_are_retargeted_as_MACE_computes_them_on_the_device()
        {
            var adreno = new MaceDevice { Name = "QUALCOMM Adreno(TM)", Version = "OpenCL 2.0 Adreno(TM) 640" };
            var mali = new MaceDevice { Name = "Mali-G76", Version = "OpenCL 2.1 v1.r20p0" };
            string fc = "fully_connected -DBIAS -DCMD_DATA_TYPE=f -DDATA_TYPE=float -DNON_QUALCOMM_ADRENO -Dfully_connected_width=f_23Gjx__A32J66tQD_QF";
            Assert.Equal("fully_connected -DBIAS -DCMD_DATA_TYPE=f -DDATA_TYPE=float -DNON_UNIFORM_WORK_GROUP -Dfully_connected_width=f_23Gjx__A32J66tQD_QF",
                KeyRetarget.For(fc, adreno, MaceVersion.Latest));
            Assert.Equal(fc, KeyRetarget.For(fc, mali, MaceVersion.Latest));
            string conv = "conv_2d_3x3  -DCMD_DATA_TYPE=f -DDATA_TYPE=float -DNON_UNIFORM_WORK_GROUP -Dconv_2d_3x3=c44CimylqKs";
            Assert.Equal("conv_2d_3x3  -DCMD_DATA_TYPE=f -DDATA_TYPE=float -Dconv_2d_3x3=c44CimylqKs", KeyRetarget.For(conv, mali, MaceVersion.Latest));
            Assert.Equal(conv, KeyRetarget.For(conv, adreno, MaceVersion.Parse("v0.10.1-rc4")));
            Assert.True(KeyRetarget.NeedsFp16("pooling -DCMD_DATA_TYPE=h -DDATA_TYPE=half -Dpooling=p453171"));
            Assert.False(KeyRetarget.NeedsFp16(PoclV111Keys[0]));
        }

        [Fact]
        public void A_damaged_cache_entry_is_discarded_not_used()
        {
            using var tmp = new TempDir();
            var cache = new BuildCache(tmp.File("c"));
            string key = BuildCache.KeyFor("a", "b");
            Assert.True(cache.Put(key, new byte[] { 1, 2, 3 }));
            Assert.True(cache.TryGet(key, out var back));
            Assert.Equal(new byte[] { 1, 2, 3 }, back);
            string path = Directory.GetFiles(tmp.File("c"), "*.bin", SearchOption.AllDirectories).Single();
            var bytes = File.ReadAllBytes(path);
            bytes[bytes.Length - 1] ^= 1;
            File.WriteAllBytes(path, bytes);
            Assert.False(cache.TryGet(key, out _));
            Assert.False(File.Exists(path));
        }

        [Fact]
        public void Measure_shows_the_file_saves_start_up_time()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            var op = Op(tmp, PoclV111Keys.Skip(6).Take(3).ToArray());
            op.OutFile = "m.bin";
            op.Run(host);
            var measure = new MeasureProgramOperation { Paths = new[] { tmp.File("m.bin") }, LiteralPaths = true, Device = Pocl.Device, Repeat = 1, Worker = Pocl.Worker };
            measure.Run(host);
            Assert.Empty(host.Errors);
            var m = Assert.Single(host.Of<MaceMeasurement>());
            Assert.Equal(3, m.Entries.Length);
            Assert.All(m.Entries, e => Assert.True(e.FromSourceMs > e.FromBinaryMs, $"{e.Key}: source {e.FromSourceMs} ms, binary {e.FromBinaryMs} ms"));
            Assert.True(m.WithoutFileMs > m.WithFileMs);
            Assert.Equal(3, Statistics.Median(new double[] { 5, 1, 3 }));
            Assert.Equal(2.5, Statistics.Median(new double[] { 4, 1, 2, 3 }));
        }
    }
}
