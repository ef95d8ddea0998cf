using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Kernels;

namespace MaceTools.Runtime
{
    /// <summary>
    /// The ops MaceTools runs on the CPU for nodes MACE's GPU ops refuse (MACE's CPU placement): ONNX semantics on
    /// tensors in ONNX order with NumPy broadcasting, sums in double. Convolutions go through <see cref="CpuReference"/>.
    /// The converter runs them once on zeros to learn each output's shape, so shapes and values come from one place.
    /// </summary>
    public static class CpuOps
    {
        /// <summary>The op types this class runs.</summary>
        public static readonly IReadOnlyCollection<string> Supported = new HashSet<string>(StringComparer.Ordinal)
        {
            "Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout", "Cast",
            "MatMul", "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min",
            "Sqrt", "Sigmoid", "Relu", "Tanh", "HardSigmoid", "HardSwish", "Exp", "Erf", "Neg", "Abs", "Reciprocal", "Clip",
            "ReduceMean", "ReduceSum", "ReduceMax", "Softmax", "LayerNormalization", "Conv", "Gather", "Slice", "Concat",
        };

        /// <summary>Runs <paramref name="op"/> on ONNX-ordered inputs; returns the outputs and their shapes.</summary>
        public static (int[] Shape, float[] Data)[] Run(string op, IReadOnlyDictionary<string, float[]> attrs, IReadOnlyList<(int[] Shape, float[] Data)> x)
        {
            int[] I(string name, params int[] fallback) => attrs.TryGetValue(name, out var v) ? v.Select(f => (int)f).ToArray() : fallback;
            float F(string name, float fallback) => attrs.TryGetValue(name, out var v) && v.Length > 0 ? v[0] : fallback;
            switch (op)
            {
                case "Identity": case "Dropout": case "Cast": return One(x[0].Shape, (float[])x[0].Data.Clone());
                case "Reshape": case "Flatten": case "Squeeze": case "Unsqueeze":
                    return One(I("shape"), (float[])x[0].Data.Clone()); // the converter resolves the target shape
                case "Transpose":
                {
                    var data = Transpose(x[0].Shape, x[0].Data, I("perm", Enumerable.Range(0, x[0].Shape.Length).Reverse().ToArray()), out var ts);
                    return One(ts, data);
                }
                case "MatMul": return MatMul(x[0], x[1]);
                case "Add": case "Sub": case "Mul": case "Div": case "Pow": case "Max": case "Min": return Binary(op, x[0], x[1]);
                case "Sqrt": case "Sigmoid": case "Relu": case "Tanh": case "HardSigmoid": case "HardSwish": case "Exp": case "Erf": case "Neg": case "Abs": case "Reciprocal":
                {
                    float alpha = F("alpha", op == "HardSigmoid" ? 0.2f : 0f), beta = F("beta", 0.5f);
                    return One(x[0].Shape, x[0].Data.Select(v => Unary(op, v, alpha, beta)).ToArray());
                }
                case "Clip":
                {
                    // Bounds: opset-11+ constant inputs, else the min/max attributes.
                    float lo = x.Count > 1 && x[1].Data.Length == 1 ? x[1].Data[0] : F("min", float.MinValue);
                    float hi = x.Count > 2 && x[2].Data.Length == 1 ? x[2].Data[0] : F("max", float.MaxValue);
                    return One(x[0].Shape, x[0].Data.Select(v => Math.Min(Math.Max(v, lo), hi)).ToArray());
                }
                case "ReduceMean": case "ReduceSum": case "ReduceMax": return Reduce(op, x[0], I("axes"), I("keepdims", 1)[0] != 0);
                case "Softmax": return Softmax(x[0], I("axis", -1)[0]);
                case "LayerNormalization": return LayerNorm(x[0], x[1].Data, x.Count > 2 ? x[2].Data : null, I("axis", -1)[0], F("epsilon", 1e-5f));
                case "Conv": return Conv(x, attrs);
                case "Gather": return Gather(x[0], x[1], I("axis", 0)[0]);
                case "Slice": return Slice(x[0], I("starts"), I("ends"), I("axes"), I("steps"));
                case "Concat": return Concat(x, I("axis", 0)[0]);
                default: throw new MaceException(ErrorIds.Unsupported, MaceErrorCategory.InvalidData, $"{op}: MaceTools has no CPU op for it", op);
            }
        }

        private static (int[], float[])[] One(int[] shape, float[] data) => new[] { (shape, data) };
        private static int Count(int[] s) => s.Aggregate(1, (a, b) => a * b);
        private static int Axis(int axis, int rank) => axis < 0 ? axis + rank : axis;

        private static int[] Strides(int[] s)
        {
            var st = new int[s.Length];
            int acc = 1;
            for (int i = s.Length - 1; i >= 0; i--) { st[i] = acc; acc *= s[i]; }
            return st;
        }

        public static float[] Transpose(int[] shape, float[] data, int[] perm, out int[] outShape)
        {
            int r = shape.Length;
            outShape = perm.Select(p => shape[p]).ToArray();
            var inSt = Strides(shape);
            var result = new float[data.Length];
            var idx = new int[r];
            for (int o = 0; o < result.Length; o++)
            {
                int src = 0;
                for (int d = 0; d < r; d++) src += idx[d] * inSt[perm[d]];
                result[o] = data[src];
                for (int d = r - 1; d >= 0; d--) { if (++idx[d] < outShape[d]) break; idx[d] = 0; }
            }
            return result;
        }

        /// <summary>NumPy broadcasting of two shapes.</summary>
        private static int[] Broadcast(int[] a, int[] b)
        {
            int r = Math.Max(a.Length, b.Length);
            var s = new int[r];
            for (int i = 0; i < r; i++)
            {
                int da = i - (r - a.Length) >= 0 ? a[i - (r - a.Length)] : 1, db = i - (r - b.Length) >= 0 ? b[i - (r - b.Length)] : 1;
                if (da != db && da != 1 && db != 1) throw new ArgumentException($"shapes [{string.Join(",", a)}] and [{string.Join(",", b)}] do not broadcast");
                s[i] = Math.Max(da, db);
            }
            return s;
        }

        /// <summary>For each element of <paramref name="outShape"/>, the index into a tensor of <paramref name="shape"/> broadcast to it.</summary>
        private static int[] BroadcastIndex(int[] shape, int[] outShape)
        {
            int r = outShape.Length, off = r - shape.Length;
            var st = Strides(shape);
            var map = new int[Count(outShape)];
            var idx = new int[r];
            for (int o = 0; o < map.Length; o++)
            {
                int src = 0;
                for (int d = off; d < r; d++) if (shape[d - off] != 1) src += idx[d] * st[d - off];
                map[o] = src;
                for (int d = r - 1; d >= 0; d--) { if (++idx[d] < outShape[d]) break; idx[d] = 0; }
            }
            return map;
        }

        private static (int[], float[])[] Binary(string op, (int[] Shape, float[] Data) a, (int[] Shape, float[] Data) b)
        {
            var s = Broadcast(a.Shape, b.Shape);
            var ia = BroadcastIndex(a.Shape, s);
            var ib = BroadcastIndex(b.Shape, s);
            var r = new float[ia.Length];
            for (int i = 0; i < r.Length; i++)
            {
                float x = a.Data[ia[i]], y = b.Data[ib[i]];
                r[i] = op switch
                {
                    "Add" => x + y, "Sub" => x - y, "Mul" => x * y, "Div" => x / y, "Max" => Math.Max(x, y), "Min" => Math.Min(x, y),
                    _ => y == 2f ? x * x : (float)Math.Pow(x, y),
                };
            }
            return One(s, r);
        }

        private static float Unary(string op, float v, float alpha, float beta) => op switch
        {
            "Sqrt" => (float)Math.Sqrt(v),
            "Sigmoid" => (float)(1 / (1 + Math.Exp(-v))),
            "Relu" => Math.Max(v, 0),
            "Tanh" => (float)Math.Tanh(v),
            "HardSigmoid" => Math.Max(0, Math.Min(1, alpha * v + beta)),
            "HardSwish" => v * Math.Max(0, Math.Min(1, v / 6 + 0.5f)),
            "Exp" => (float)Math.Exp(v),
            "Erf" => Erf(v),
            "Neg" => -v,
            "Abs" => Math.Abs(v),
            _ => 1 / v,
        };

        /// <summary>erf, Abramowitz–Stegun 7.1.26 refined (|error| &lt; 1.2e-7).</summary>
        private static float Erf(double x)
        {
            double t = 1 / (1 + 0.5 * Math.Abs(x));
            double y = 1 - t * Math.Exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
                t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
            return (float)(x >= 0 ? y : -y);
        }

        private static (int[], float[])[] MatMul((int[] Shape, float[] Data) a, (int[] Shape, float[] Data) b)
        {
            var sa = a.Shape.Length == 1 ? new[] { 1, a.Shape[0] } : a.Shape;
            var sb = b.Shape.Length == 1 ? new[] { b.Shape[0], 1 } : b.Shape;
            int m = sa[sa.Length - 2], k = sa[sa.Length - 1], n = sb[sb.Length - 1];
            if (sb[sb.Length - 2] != k) throw new ArgumentException($"MatMul [{string.Join(",", a.Shape)}] x [{string.Join(",", b.Shape)}]");
            var batchA = sa.Take(sa.Length - 2).ToArray();
            var batchB = sb.Take(sb.Length - 2).ToArray();
            var batch = Broadcast(batchA, batchB);
            var ia = BroadcastIndex(batchA, batch);
            var ib = BroadcastIndex(batchB, batch);
            var r = new float[ia.Length * m * n];
            for (int t = 0; t < ia.Length; t++)
            {
                int oa = ia[t] * m * k, ob = ib[t] * k * n, or = t * m * n;
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        double s = 0;
                        for (int q = 0; q < k; q++) s += (double)a.Data[oa + i * k + q] * b.Data[ob + q * n + j];
                        r[or + i * n + j] = (float)s;
                    }
            }
            var shape = batch.Concat(a.Shape.Length == 1 ? new int[0] : new[] { m }).Concat(b.Shape.Length == 1 ? new int[0] : new[] { n }).ToArray();
            return One(shape, r);
        }

        /// <summary>Outer × axis × inner view of a shape.</summary>
        private static (int Outer, int Size, int Inner) Split(int[] s, int axis) =>
            (Count(s.Take(axis).ToArray()), s[axis], Count(s.Skip(axis + 1).ToArray()));

        private static (int[], float[])[] Reduce(string op, (int[] Shape, float[] Data) x, int[] axes, bool keep)
        {
            int r = x.Shape.Length;
            var set = new HashSet<int>(axes.Length == 0 ? Enumerable.Range(0, r) : axes.Select(a => Axis(a, r)));
            var kept = x.Shape.Select((d, i) => set.Contains(i) ? 1 : d).ToArray();
            var st = Strides(kept);
            var acc = new double[Count(kept)];
            var n = new int[acc.Length];
            var idx = new int[r];
            for (int i = 0; i < x.Data.Length; i++)
            {
                int o = 0;
                for (int d = 0; d < r; d++) if (!set.Contains(d)) o += idx[d] * st[d];
                if (op == "ReduceMax") acc[o] = n[o] == 0 ? x.Data[i] : Math.Max(acc[o], x.Data[i]); else acc[o] += x.Data[i];
                n[o]++;
                for (int d = r - 1; d >= 0; d--) { if (++idx[d] < x.Shape[d]) break; idx[d] = 0; }
            }
            var result = acc.Select((v, i) => (float)(op == "ReduceMean" ? v / n[i] : v)).ToArray();
            return One(keep ? kept : x.Shape.Where((d, i) => !set.Contains(i)).ToArray(), result);
        }

        private static (int[], float[])[] Softmax((int[] Shape, float[] Data) x, int axis)
        {
            var (outer, size, inner) = Split(x.Shape, Axis(axis, x.Shape.Length));
            var r = new float[x.Data.Length];
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    int b = o * size * inner + i;
                    double max = double.MinValue, sum = 0;
                    for (int c = 0; c < size; c++) max = Math.Max(max, x.Data[b + c * inner]);
                    for (int c = 0; c < size; c++) sum += Math.Exp(x.Data[b + c * inner] - max);
                    for (int c = 0; c < size; c++) r[b + c * inner] = (float)(Math.Exp(x.Data[b + c * inner] - max) / sum);
                }
            return One(x.Shape, r);
        }

        /// <summary>(x − mean) / √(var + ε) · γ + β over the last axes from <paramref name="axis"/> (ONNX LayerNormalization).</summary>
        public static (int[], float[])[] LayerNorm((int[] Shape, float[] Data) x, float[] gamma, float[]? beta, int axis, float epsilon)
        {
            int a = Axis(axis, x.Shape.Length);
            int inner = Count(x.Shape.Skip(a).ToArray()), outer = x.Data.Length / inner;
            var r = new float[x.Data.Length];
            for (int o = 0; o < outer; o++)
            {
                int b = o * inner;
                double mean = 0, v = 0;
                for (int i = 0; i < inner; i++) mean += x.Data[b + i];
                mean /= inner;
                for (int i = 0; i < inner; i++) v += (x.Data[b + i] - mean) * (x.Data[b + i] - mean);
                double inv = 1 / Math.Sqrt(v / inner + epsilon);
                for (int i = 0; i < inner; i++)
                    r[b + i] = (float)((x.Data[b + i] - mean) * inv * gamma[gamma.Length == 1 ? 0 : i] + (beta == null ? 0 : beta[beta.Length == 1 ? 0 : i]));
            }
            return One(x.Shape, r);
        }

        /// <summary>Conv (NCHW, weight OIHW with BatchNorm already folded) with a fused activation: CpuReference on NHWC.</summary>
        private static (int[], float[])[] Conv(IReadOnlyList<(int[] Shape, float[] Data)> x, IReadOnlyDictionary<string, float[]> attrs)
        {
            int[] I(string name, params int[] fallback) => attrs.TryGetValue(name, out var v) ? v.Select(f => (int)f).ToArray() : fallback;
            float F(string name, float fallback) => attrs.TryGetValue(name, out var v) && v.Length > 0 ? v[0] : fallback;
            var s = x[0].Shape;
            var inNhwc = new[] { s[0], s[2], s[3], s[1] };
            var act = new Activation((ActivationKind)I("activation", 0)[0], limit: F("limit", 0), coefficient: F("coefficient", 0), beta: F("beta", 0));
            var y = CpuReference.Conv2D(ModelData.ToNhwc(x[0].Data, s), inNhwc, x[1].Data, x[1].Shape, x.Count > 2 ? x[2].Data : null,
                I("strides", 1, 1), I("dilations", 1, 1), I("pads", 0, 0, 0, 0), I("group", 1)[0], act, out var o);
            var shape = new[] { o[0], o[3], o[1], o[2] };
            return One(shape, ModelData.ToOnnx(y, shape));
        }

        private static (int[], float[])[] Gather((int[] Shape, float[] Data) x, (int[] Shape, float[] Data) indices, int axis)
        {
            int a = Axis(axis, x.Shape.Length);
            var (outer, size, inner) = Split(x.Shape, a);
            var idx = indices.Data.Select(v => (int)v < 0 ? (int)v + size : (int)v).ToArray();
            var r = new float[outer * idx.Length * inner];
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < idx.Length; j++)
                    Array.Copy(x.Data, (o * size + idx[j]) * inner, r, (o * idx.Length + j) * inner, inner);
            var shape = x.Shape.Take(a).Concat(indices.Shape).Concat(x.Shape.Skip(a + 1)).ToArray();
            return One(shape, r);
        }

        private static (int[], float[])[] Slice((int[] Shape, float[] Data) x, int[] starts, int[] ends, int[] axes, int[] steps)
        {
            int r = x.Shape.Length;
            var lo = new int[r];
            var step = Enumerable.Repeat(1, r).ToArray();
            var shape = (int[])x.Shape.Clone();
            for (int i = 0; i < starts.Length; i++)
            {
                int a = axes.Length > i ? Axis(axes[i], r) : i, d = x.Shape[a], st = steps.Length > i ? steps[i] : 1;
                if (st != 1) throw new ArgumentException("Slice with steps other than 1");
                long s0 = starts[i] < 0 ? starts[i] + d : starts[i], e0 = ends[i] < 0 ? (long)ends[i] + d : ends[i];
                s0 = Math.Max(0, Math.Min(s0, d));
                e0 = Math.Max(s0, Math.Min(e0, d));
                lo[a] = (int)s0;
                shape[a] = (int)(e0 - s0);
            }
            var inSt = Strides(x.Shape);
            var result = new float[Count(shape)];
            var idx = new int[r];
            for (int o = 0; o < result.Length; o++)
            {
                int src = 0;
                for (int d = 0; d < r; d++) src += (idx[d] + lo[d]) * step[d] * inSt[d];
                result[o] = x.Data[src];
                for (int d = r - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
            }
            return One(shape, result);
        }

        private static (int[], float[])[] Concat(IReadOnlyList<(int[] Shape, float[] Data)> x, int axis)
        {
            int a = Axis(axis, x[0].Shape.Length);
            var shape = (int[])x[0].Shape.Clone();
            shape[a] = x.Sum(t => t.Shape[a]);
            int outer = Count(shape.Take(a).ToArray()), inner = Count(shape.Skip(a + 1).ToArray());
            var r = new float[Count(shape)];
            int offset = 0;
            foreach (var t in x)
            {
                int part = t.Shape[a] * inner;
                for (int o = 0; o < outer; o++) Array.Copy(t.Data, o * part, r, o * shape[a] * inner + offset, part);
                offset += part;
            }
            return One(shape, r);
        }
    }
}
