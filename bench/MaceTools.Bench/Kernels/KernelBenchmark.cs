using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using MaceTools.Devices;

namespace MaceTools.Kernels
{
    /// <summary>One row of <c>bench kernels</c>: an op at a MobileNet-like shape on the device next to the plain C# loop.</summary>
    public sealed class KernelBenchRow
    {
        public string Op { get; internal set; } = "";
        public string Shape { get; internal set; } = "";
        public string Kernel { get; internal set; } = "";
        public string LocalSize { get; internal set; } = "";
        public double MFlop { get; internal set; }
        /// <summary>Median device time of the kernel (profiling events), default local size.</summary>
        public double DeviceMs { get; internal set; }
        public double DeviceGflops => DeviceMs > 0 ? MFlop / DeviceMs : 0; // MFLOP per ms = GFLOP/s
        /// <summary>The same op by <see cref="CpuReference"/>: one thread, plain loops.</summary>
        public double CSharpMs { get; internal set; }
        public double CSharpGflops => CSharpMs > 0 ? MFlop / CSharpMs : 0;
        public double Speedup => DeviceMs > 0 ? CSharpMs / DeviceMs : 0;
        public double PeakGflops { get; internal set; }
        public double PercentOfPeak => PeakGflops > 0 ? 100 * DeviceGflops / PeakGflops : 0;
        /// <summary>Largest difference between the device and the C# result (the run is also a check).</summary>
        public double MaxError { get; internal set; }
    }

    /// <summary>
    /// Achieved GFLOP/s per op at MobileNet-like shapes (224x224 input), the baseline later tuning is measured against.
    /// The device's peak is an estimate: compute units × clock × native float vector width × 2 (one FMA per lane per cycle).
    /// </summary>
    public static class KernelBenchmark
    {
        private sealed class Case
        {
            public string Op = "", Shape = "";
            public Func<KernelTarget, IReadOnlyList<KernelLaunch>> Launches = _ => Array.Empty<KernelLaunch>();
            public Dictionary<string, (ImageKind Kind, int[] Shape, float[] Data)> Inputs = new Dictionary<string, (ImageKind, int[], float[])>();
            public Func<float[]> Reference = () => Array.Empty<float>();
            public string Output = "output";
        }

        public static double PeakGflops(MaceDevice device)
        {
            long width = 1;
            try { width = Math.Max(1, (long)(device.Handle?.DeviceNumber(Silk.NET.OpenCL.DeviceInfo.NativeVectorWidthFloat) ?? 1)); }
            catch (MaceException) { }
            return device.ComputeUnits * (double)device.MaxClockMHz * width * 2 / 1000;
        }

        public static List<KernelBenchRow> Run(MaceDevice device, int repeat, Action<string> log)
        {
            var target = KernelTarget.For(device);
            double peak = PeakGflops(device);
            var rows = new List<KernelBenchRow>();
            using var runner = new KernelRunner(device);
            foreach (var c in Cases())
            {
                log($"{c.Op} {c.Shape}");
                var launches = c.Launches(target);
                foreach (var input in c.Inputs) runner.Upload(input.Key, input.Value.Kind, input.Value.Shape, input.Value.Data);
                foreach (var l in launches) runner.Time(l); // builds and warms up
                var times = new List<double>();
                for (int i = 0; i < repeat; i++) times.Add(launches.Sum(l => (double)runner.Time(l)) / 1e6);
                var sw = Stopwatch.StartNew();
                var expected = c.Reference();
                double cs = sw.Elapsed.TotalMilliseconds;
                var actual = runner.Download(c.Output);
                double err = expected.Zip(actual, (e, a) => Math.Abs(e - (double)a)).DefaultIfEmpty(0).Max();
                rows.Add(new KernelBenchRow
                {
                    Op = c.Op, Shape = c.Shape,
                    Kernel = string.Join("+", launches.Select(l => l.Kernel).Distinct()),
                    LocalSize = string.Join(",", runner.DefaultLocalSize(launches[0])),
                    MFlop = launches.Sum(l => l.Flops) / 1e6,
                    DeviceMs = Statistics.Median(times), CSharpMs = cs, PeakGflops = peak, MaxError = err,
                });
            }
            return rows;
        }

        private static float[] Random(int seed, long n) => ImageLayout.RandomData(seed, n);

        private static long Count(int[] s) => ImageLayout.Count(s);
        private static string S(int[] s) => "[" + string.Join("x", s) + "]";

        private static Case Conv(string op, int[] input, int outC, int k, int stride, int pad, Activation act)
        {
            var filter = new[] { outC, input[3], k, k };
            var x = Random(1, Count(input));
            var w = Random(2, Count(filter));
            var b = Random(3, outC);
            var outShape = CpuReference.ConvOutputShape(input, outC, k, k, new[] { stride, stride }, new[] { 1, 1 }, new[] { pad, pad, pad, pad });
            return new Case
            {
                Op = op, Shape = $"{S(input)} {k}x{k}/{stride} -> {outC}",
                Launches = t => new[] { KernelOps.Conv2D(input, filter, outShape, new[] { stride, stride }, new[] { 1, 1 }, new[] { pad, pad }, true, act, t) },
                Inputs = { ["input"] = (ImageKind.InOut, input, x), ["filter"] = (ImageKind.Conv2DFilter, filter, w), ["bias"] = (ImageKind.Argument, new[] { outC }, b) },
                Reference = () => CpuReference.Conv2D(x, input, w, filter, b, new[] { stride, stride }, new[] { 1, 1 }, new[] { pad, pad, pad, pad }, 1, act, out _),
            };
        }

        private static Case Depthwise(int[] input, int stride)
        {
            int c = input[3];
            var x = Random(4, Count(input));
            var w = Random(5, c * 9L);
            var b = Random(6, c);
            var act = new Activation(ActivationKind.ReluX);
            var outShape = CpuReference.ConvOutputShape(input, c, 3, 3, new[] { stride, stride }, new[] { 1, 1 }, new[] { 1, 1, 1, 1 });
            return new Case
            {
                Op = "depthwise_conv2d", Shape = $"{S(input)} 3x3/{stride}",
                Launches = t => new[] { KernelOps.DepthwiseConv2D(input, new[] { 1, c, 3, 3 }, outShape, new[] { stride, stride }, new[] { 1, 1 }, new[] { 1, 1 }, true, act, t) },
                Inputs = { ["input"] = (ImageKind.InOut, input, x), ["filter"] = (ImageKind.DwConv2DFilter, new[] { 1, c, 3, 3 }, w), ["bias"] = (ImageKind.Argument, new[] { c }, b) },
                Reference = () => CpuReference.Conv2D(x, input, w, new[] { c, 1, 3, 3 }, b, new[] { stride, stride }, new[] { 1, 1 }, new[] { 1, 1, 1, 1 }, c, act, out _),
            };
        }

        private static IEnumerable<Case> Cases()
        {
            var relu6 = new Activation(ActivationKind.ReluX);
            yield return Conv("conv2d 3x3", new[] { 1, 224, 224, 3 }, 32, 3, 2, 1, relu6);
            yield return Conv("conv2d 3x3", new[] { 1, 28, 28, 128 }, 128, 3, 1, 1, relu6);
            yield return Conv("conv2d 1x1", new[] { 1, 56, 56, 64 }, 128, 1, 1, 0, relu6);
            yield return Conv("conv2d 1x1", new[] { 1, 14, 14, 512 }, 512, 1, 1, 0, relu6);
            yield return Conv("conv2d general", new[] { 1, 56, 56, 32 }, 32, 5, 1, 2, relu6);
            yield return Depthwise(new[] { 1, 112, 112, 32 }, 1);
            yield return Depthwise(new[] { 1, 56, 56, 128 }, 2);
            {
                var input = new[] { 1, 1, 1, 1024 };
                var x = Random(7, 1024);
                var w = Random(8, 1000L * 1024);
                var b = Random(9, 1000);
                yield return new Case
                {
                    Op = "fully_connected", Shape = "[1x1x1x1024] -> 1000",
                    Launches = t => new[] { KernelOps.FullyConnected(input, 1000, true, Activation.None, t) },
                    Inputs = { ["input"] = (ImageKind.InOut, input, x), ["weight"] = (ImageKind.WeightWidth, new[] { 1000, 1024, 1, 1 }, w), ["bias"] = (ImageKind.Argument, new[] { 1000 }, b) },
                    Reference = () => CpuReference.FullyConnected(x, input, w, 1000, b, Activation.None),
                };
            }
            {
                var input = new[] { 1, 112, 112, 64 };
                var x = Random(10, Count(input));
                var outShape = new[] { 1, 56, 56, 64 };
                yield return new Case
                {
                    Op = "pooling max", Shape = $"{S(input)} 3x3/2",
                    Launches = t => new[] { KernelOps.Pooling(input, outShape, PoolingKind.Max, new[] { 3, 3 }, new[] { 2, 2 }, new[] { 1, 1 }, t) },
                    Inputs = { ["input"] = (ImageKind.InOut, input, x) },
                    Reference = () => CpuReference.Pooling(x, input, PoolingKind.Max, new[] { 3, 3 }, new[] { 2, 2 }, new[] { 1, 1, 1, 1 }, false, false, out _),
                };
            }
            {
                var input = new[] { 1, 7, 7, 1024 };
                var x = Random(11, Count(input));
                yield return new Case
                {
                    Op = "reduce mean", Shape = S(input),
                    Launches = t => KernelOps.Reduce(input, ReduceKind.Mean, t),
                    Inputs = { ["input"] = (ImageKind.InOut, input, x) },
                    Reference = () => CpuReference.Reduce(x, input, ReduceKind.Mean),
                };
            }
            {
                var shape = new[] { 1, 28, 28, 256 };
                var a = Random(12, Count(shape));
                var b = Random(13, Count(shape));
                yield return new Case
                {
                    Op = "eltwise sum", Shape = S(shape),
                    Launches = t => new[] { KernelOps.Eltwise(EltwiseKind.Sum, shape, EltwiseBroadcast.Tensor, t) },
                    Inputs = { ["input0"] = (ImageKind.InOut, shape, a), ["input1"] = (ImageKind.InOut, shape, b) },
                    Reference = () => CpuReference.Eltwise(EltwiseKind.Sum, a, shape, b, shape, EltwiseBroadcast.Tensor),
                };
            }
            {
                var shape = new[] { 1, 112, 112, 32 };
                var x = Random(14, Count(shape));
                var act = new Activation(ActivationKind.HardSwish, coefficient: 1f / 6, beta: 0.5f);
                yield return new Case
                {
                    Op = "activation hardswish", Shape = S(shape),
                    Launches = t => new[] { KernelOps.Activation(shape, act, t) },
                    Inputs = { ["input"] = (ImageKind.InOut, shape, x) },
                    Reference = () => CpuReference.ActivationOp(x, shape, act),
                };
            }
            {
                var shape = new[] { 1, 1, 1, 1000 };
                var x = Random(15, 1000);
                yield return new Case
                {
                    Op = "softmax", Shape = S(shape),
                    Launches = t => new[] { KernelOps.Softmax(shape, t) },
                    Inputs = { ["input"] = (ImageKind.InOut, shape, x) },
                    Reference = () => CpuReference.Softmax(x, shape),
                };
            }
            {
                var input = new[] { 1, 28, 28, 64 };
                var x = Random(16, Count(input));
                yield return new Case
                {
                    Op = "resize_bilinear", Shape = $"{S(input)} -> 56x56",
                    Launches = t => new[] { KernelOps.ResizeBilinear(input, 56, 56, false, ResizeCoordinates.HalfPixel, t) },
                    Inputs = { ["input"] = (ImageKind.InOut, input, x) },
                    Reference = () => CpuReference.ResizeBilinear(x, input, 56, 56, false, ResizeCoordinates.HalfPixel),
                };
            }
        }
    }
}
