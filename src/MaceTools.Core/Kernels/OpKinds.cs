using System;

namespace MaceTools.Kernels
{
    /// <summary>Activations the kernels fuse or apply (MACE's ActivationType plus the hard forms the demo model needs).</summary>
    public enum ActivationKind { None, Relu, ReluX, PRelu, Tanh, Sigmoid, LeakyRelu, Elu, HardSigmoid, HardSwish }

    /// <summary>
    /// An activation with its parameters. <see cref="Apply"/> is the one definition of what each kind computes: the C#
    /// reference uses it, and the OpenCL <c>do_activation</c> in common.h must agree with it.
    /// </summary>
    public sealed class Activation
    {
        public static readonly Activation None = new Activation(ActivationKind.None);

        public Activation(ActivationKind kind, float limit = 6f, float coefficient = 0f, float beta = 0f, float[]? alpha = null)
        {
            if (kind == ActivationKind.PRelu && alpha == null) throw new ArgumentException("PRelu needs per-channel slopes.", nameof(alpha));
            Kind = kind;
            Limit = limit;
            Coefficient = coefficient;
            Beta = beta;
            Alpha = alpha;
        }

        public ActivationKind Kind { get; }
        /// <summary>ReluX: the upper bound (Relu6: 6).</summary>
        public float Limit { get; }
        /// <summary>LeakyRelu: the slope below 0; Elu: alpha; HardSigmoid and HardSwish: alpha (ONNX 0.2 and 1/6).</summary>
        public float Coefficient { get; }
        /// <summary>HardSigmoid and HardSwish: beta (ONNX 0.5).</summary>
        public float Beta { get; }
        /// <summary>PRelu: one slope per channel (or one for all).</summary>
        public float[]? Alpha { get; }

        /// <summary>The build option MACE passes for this activation (none for None).</summary>
        public string? Option => Kind switch
        {
            ActivationKind.None => null,
            ActivationKind.Relu => "-DUSE_RELU",
            ActivationKind.ReluX => "-DUSE_RELUX",
            ActivationKind.PRelu => "-DUSE_PRELU",
            ActivationKind.Tanh => "-DUSE_TANH",
            ActivationKind.Sigmoid => "-DUSE_SIGMOID",
            ActivationKind.LeakyRelu => "-DUSE_LEAKYRELU",
            ActivationKind.Elu => "-DUSE_ELU",
            ActivationKind.HardSigmoid => "-DUSE_HARDSIGMOID",
            ActivationKind.HardSwish => "-DUSE_HARDSWISH",
            _ => throw new ArgumentOutOfRangeException(),
        };

        public float Apply(float x, int channel)
        {
            switch (Kind)
            {
                case ActivationKind.None: return x;
                case ActivationKind.Relu: return Math.Max(x, 0f);
                case ActivationKind.ReluX: return Math.Min(Math.Max(x, 0f), Limit);
                case ActivationKind.PRelu: return x >= 0 ? x : x * Alpha![Alpha.Length == 1 ? 0 : channel];
                case ActivationKind.Tanh: return (float)Math.Tanh(x);
                case ActivationKind.Sigmoid: return (float)(1.0 / (1.0 + Math.Exp(-x)));
                case ActivationKind.LeakyRelu: return x >= 0 ? x : x * Coefficient;
                case ActivationKind.Elu: return x >= 0 ? x : Coefficient * (float)(Math.Exp(x) - 1.0);
                case ActivationKind.HardSigmoid: return Math.Min(Math.Max(Coefficient * x + Beta, 0f), 1f);
                case ActivationKind.HardSwish: return x * Math.Min(Math.Max(Coefficient * x + Beta, 0f), 1f);
                default: throw new ArgumentOutOfRangeException();
            }
        }

        public override string ToString() => Kind.ToString();
    }

    /// <summary>MACE's EltwiseType; the value is the <c>-DELTWISE_TYPE</c> number.</summary>
    public enum EltwiseKind
    {
        Sum = 0, Sub = 1, Prod = 2, Div = 3, Min = 4, Max = 5, Neg = 6, Abs = 7, SqrDiff = 8, Pow = 9,
        Equal = 10, FloorDiv = 11, Clip = 12, Sign = 13, None = 14, NotEqual = 15,
    }

    /// <summary>How the second eltwise input is shaped relative to the first, [N, H, W, C].</summary>
    public enum EltwiseBroadcast
    {
        /// <summary>[N, H, W, C], the same shape.</summary>
        Tensor,
        /// <summary>One value (<c>-DINPUT_SCALAR</c>; older MACE <c>-DINPUT_TYPE=1</c>).</summary>
        Scalar,
        /// <summary>[N, 1, 1, C] (<c>-DINPUT_BATCH_VECTOR</c>; older <c>INPUT_TYPE=2</c>).</summary>
        BatchVector,
        /// <summary>[C] (<c>-DINPUT_VECTOR</c>; older <c>INPUT_TYPE=3</c>).</summary>
        Vector,
        /// <summary>[N, H, W, 1] (<c>-DINPUT_TENSOR_BC_CHAN</c>; older <c>INPUT_TYPE=4</c>).</summary>
        Channel,
    }

    public enum PoolingKind { Max, Average }

    /// <summary>MACE's ReduceType; the value is the <c>-DREDUCE_TYPE</c> number.</summary>
    public enum ReduceKind { Mean = 0, Min = 1, Max = 2, Prod = 3, Sum = 4 }

    /// <summary>Resize coordinate transformation; the value is the <c>-DCT_MODE</c> number (align-corners is a flag of its own).</summary>
    public enum ResizeCoordinates { Asymmetric = 0, HalfPixel = 1, PytorchHalfPixel = 2 }

    /// <summary>ONNX Resize's nearest_mode; the value is the <c>-DNEAREST_MODE</c> number of MaceTools' kernel.</summary>
    public enum NearestMode { RoundPreferFloor = 0, RoundPreferCeil = 1, Floor = 2, Ceil = 3 }

    /// <summary>MACE's PadType; the value is the <c>-DPAD_TYPE</c> number.</summary>
    public enum PadMode { Constant = 0, Reflect = 1, Symmetric = 2 }
}
