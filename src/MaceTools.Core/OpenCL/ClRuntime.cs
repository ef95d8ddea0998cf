using System;
using Silk.NET.OpenCL;

namespace MaceTools.OpenCL
{
    /// <summary>An in-order command queue with profiling on, so every launch can report its device time.</summary>
    public sealed class ClQueue : IDisposable
    {
        private IntPtr _queue;

        public unsafe ClQueue(ClContext context)
        {
            Context = context;
            int status = 0;
            _queue = Cl.CreateCommandQueue(context.Handle, context.Device.Device, CommandQueueProperties.ProfilingEnable, &status);
            ClApi.Check(status, "clCreateCommandQueue");
        }

        public ClContext Context { get; }
        private CL Cl => Context.Device.Api.Cl;
        private IntPtr Handle => _queue != IntPtr.Zero ? _queue : throw new ObjectDisposedException(nameof(ClQueue));

        /// <summary>
        /// Enqueues the kernel over <paramref name="global"/> (with <paramref name="local"/>, or the driver's choice when
        /// null), waits for it, and returns its device time in nanoseconds (CL_PROFILING_COMMAND_END - START, as MACE's
        /// tuner measures).
        /// </summary>
        public unsafe ulong Run(ClKernel kernel, long[] global, long[]? local = null, long[]? offset = null)
        {
            IntPtr evt = IntPtr.Zero;
            int status;
            fixed (UIntPtr* g = Sizes(global), l = Sizes(local), o = Sizes(offset))
                status = Cl.EnqueueNdrangeKernel(Handle, kernel.Handle, (uint)global.Length, o, g, l, 0, null, &evt);
            if (status != ClErrors.Success)
                throw new ClException("clEnqueueNDRangeKernel", status,
                    $"kernel {kernel.Name}, global [{string.Join(",", global)}], local [{(local == null ? "null" : string.Join(",", local))}]", target: kernel.Name);
            try
            {
                ClApi.Check(Cl.WaitForEvents(1, &evt), "clWaitForEvents", kernel.Name);
                ulong start = 0, end = 0;
                ClApi.Check(Cl.GetEventProfilingInfo(evt, ProfilingInfo.Start, sizeof(ulong), &start, null), "clGetEventProfilingInfo");
                ClApi.Check(Cl.GetEventProfilingInfo(evt, ProfilingInfo.End, sizeof(ulong), &end, null), "clGetEventProfilingInfo");
                return end >= start ? end - start : 0;
            }
            finally { Cl.ReleaseEvent(evt); }
        }

        /// <summary>
        /// Enqueues the kernel without waiting (the arguments are captured now), the sizes already in the driver's form, and
        /// returns its event for <see cref="Timeline"/> after <see cref="Finish"/>: a model's launches queued back to back, as
        /// MACE's runtime does.
        /// </summary>
        internal unsafe IntPtr Enqueue(ClKernel kernel, UIntPtr[] global, UIntPtr[]? local)
        {
            IntPtr evt = IntPtr.Zero;
            int status;
            fixed (UIntPtr* g = global, l = local)
                status = Cl.EnqueueNdrangeKernel(Handle, kernel.Handle, (uint)global.Length, null, g, l, 0, null, &evt);
            if (status != ClErrors.Success)
                throw new ClException("clEnqueueNDRangeKernel", status,
                    $"kernel {kernel.Name}, global [{string.Join(",", global)}], local [{(local == null ? "null" : string.Join(",", local))}]", target: kernel.Name);
            return evt;
        }

        /// <summary>
        /// A finished event's four profiling stamps in nanoseconds on the device clock (the event is released). A driver
        /// that compiles at enqueue shows the compile between SUBMIT and START (pocl), so a queued launch's share of the
        /// timeline still tells whether it compiled.
        /// </summary>
        internal unsafe (ulong Queued, ulong Submit, ulong Start, ulong End) Timeline(IntPtr evt)
        {
            try
            {
                ulong queued = 0, submit = 0, start = 0, end = 0;
                ClApi.Check(Cl.GetEventProfilingInfo(evt, ProfilingInfo.Queued, sizeof(ulong), &queued, null), "clGetEventProfilingInfo");
                ClApi.Check(Cl.GetEventProfilingInfo(evt, ProfilingInfo.Submit, sizeof(ulong), &submit, null), "clGetEventProfilingInfo");
                ClApi.Check(Cl.GetEventProfilingInfo(evt, ProfilingInfo.Start, sizeof(ulong), &start, null), "clGetEventProfilingInfo");
                ClApi.Check(Cl.GetEventProfilingInfo(evt, ProfilingInfo.End, sizeof(ulong), &end, null), "clGetEventProfilingInfo");
                return (queued, submit, start, end);
            }
            finally { Cl.ReleaseEvent(evt); }
        }

        /// <summary>Writes a whole RGBA float image from <paramref name="pixels"/> (width * height * 4 values).</summary>
        public unsafe void WriteImage(ClImage image, float[] pixels)
        {
            CheckLength(pixels.Length, image.Width * image.Height * 4, image);
            fixed (UIntPtr* origin = Sizes(new long[] { 0, 0, 0 }), region = Sizes(new long[] { image.Width, image.Height, 1 }))
            fixed (float* p = pixels)
                ClApi.Check(Cl.EnqueueWriteImage(Handle, image.Handle, true, origin, region, 0, 0, p, 0, null, null), "clEnqueueWriteImage");
        }

        public unsafe float[] ReadImage(ClImage image)
        {
            var pixels = new float[image.Width * image.Height * 4];
            fixed (UIntPtr* origin = Sizes(new long[] { 0, 0, 0 }), region = Sizes(new long[] { image.Width, image.Height, 1 }))
            fixed (float* p = pixels)
                ClApi.Check(Cl.EnqueueReadImage(Handle, image.Handle, true, origin, region, 0, 0, p, 0, null, null), "clEnqueueReadImage");
            return pixels;
        }

        public unsafe void WriteBuffer(ClBuffer buffer, float[] values)
        {
            CheckLength(values.Length * 4, buffer.Bytes, buffer);
            fixed (float* p = values)
                ClApi.Check(Cl.EnqueueWriteBuffer(Handle, buffer.Handle, true, 0, (UIntPtr)(values.Length * 4), p, 0, null, null), "clEnqueueWriteBuffer");
        }

        public unsafe float[] ReadBuffer(ClBuffer buffer)
        {
            var values = new float[buffer.Bytes / 4];
            fixed (float* p = values)
                ClApi.Check(Cl.EnqueueReadBuffer(Handle, buffer.Handle, true, 0, (UIntPtr)(values.Length * 4), p, 0, null, null), "clEnqueueReadBuffer");
            return values;
        }

        public void Finish() => ClApi.Check(Cl.Finish(Handle), "clFinish");

        private static void CheckLength(long actual, long expected, object target)
        {
            if (actual != expected) throw new ArgumentException($"{target}: {actual} values given, {expected} expected");
        }

        /// <summary>size_t[] for the call; null stays null (a null pointer: "let the driver choose").</summary>
        internal static UIntPtr[]? Sizes(long[]? values)
        {
            if (values == null) return null;
            var r = new UIntPtr[values.Length];
            for (int i = 0; i < values.Length; i++) r[i] = (UIntPtr)(ulong)values[i];
            return r;
        }

        public void Dispose()
        {
            if (_queue != IntPtr.Zero) Cl.ReleaseCommandQueue(_queue);
            _queue = IntPtr.Zero;
        }
    }

    /// <summary>A device memory object (image or buffer), released with Dispose.</summary>
    public abstract class ClMemory : IDisposable
    {
        private IntPtr _memory;

        private protected ClMemory(ClContext context, IntPtr memory)
        {
            Context = context;
            _memory = memory;
        }

        public ClContext Context { get; }
        internal IntPtr Handle => _memory != IntPtr.Zero ? _memory : throw new ObjectDisposedException(GetType().Name);

        public void Dispose()
        {
            if (_memory != IntPtr.Zero) Context.Device.Api.Cl.ReleaseMemObject(_memory);
            _memory = IntPtr.Zero;
        }
    }

    /// <summary>A 2-D RGBA image of float (or half) pixels, as MACE stores tensors.</summary>
    public sealed class ClImage : ClMemory
    {
        private ClImage(ClContext context, IntPtr memory, long width, long height, bool half) : base(context, memory)
        {
            Width = width;
            Height = height;
            Half = half;
        }

        public long Width { get; }
        public long Height { get; }
        public bool Half { get; }

        public static unsafe ClImage Create(ClContext context, long width, long height, bool half = false)
        {
            var format = new ImageFormat(ChannelOrder.Rgba, half ? ChannelType.HalfFloat : ChannelType.Float);
            var desc = new ImageDesc(MemObjectType.Image2D, (UIntPtr)(ulong)width, (UIntPtr)(ulong)height);
            int status = 0;
            IntPtr p = context.Device.Api.Cl.CreateImage(context.Handle, MemFlags.ReadWrite, &format, &desc, null, &status);
            ClApi.Check(status, "clCreateImage", $"{width}x{height}");
            return new ClImage(context, p, width, height, half);
        }

        public override string ToString() => $"image {Width}x{Height}";
    }

    public sealed class ClBuffer : ClMemory
    {
        private ClBuffer(ClContext context, IntPtr memory, long bytes) : base(context, memory) => Bytes = bytes;

        public long Bytes { get; }

        public static unsafe ClBuffer Create(ClContext context, long bytes)
        {
            int status = 0;
            IntPtr p = context.Device.Api.Cl.CreateBuffer(context.Handle, MemFlags.ReadWrite, (UIntPtr)(ulong)Math.Max(bytes, 4), null, &status);
            ClApi.Check(status, "clCreateBuffer", $"{bytes} bytes");
            return new ClBuffer(context, p, bytes);
        }

        public override string ToString() => $"buffer {Bytes} bytes";
    }

    /// <summary>A kernel of a built program, with typed argument setters.</summary>
    public sealed class ClKernel : IDisposable
    {
        private IntPtr _kernel;
        private readonly ClProgram _program;

        /// <summary>clCreateKernel by the name in the program (the obfuscated symbol where the build defined one).</summary>
        public unsafe ClKernel(ClProgram program, string name)
        {
            _program = program;
            Name = name;
            int status = 0;
            _kernel = Cl.CreateKernel(program.Handle, name, &status);
            ClApi.Check(status, "clCreateKernel", name);
        }

        public string Name { get; }
        private CL Cl => _program.Context.Device.Api.Cl;
        internal IntPtr Handle => _kernel != IntPtr.Zero ? _kernel : throw new ObjectDisposedException(nameof(ClKernel));

        /// <summary>CL_KERNEL_WORK_GROUP_SIZE on the program's device: MACE's <c>kwg</c>.</summary>
        public unsafe long WorkGroupSize
        {
            get
            {
                UIntPtr size = UIntPtr.Zero;
                ClApi.Check(Cl.GetKernelWorkGroupInfo(Handle, _program.Context.Device.Device, KernelWorkGroupInfo.WorkGroupSize, (UIntPtr)sizeof(UIntPtr), &size, null), "clGetKernelWorkGroupInfo", Name);
                return (long)(ulong)size;
            }
        }

        public void SetInt(int index, int value) => Set(index, value);
        public void SetFloat(int index, float value) => Set(index, value);
        public void SetMemory(int index, ClMemory memory) => Set(index, memory.Handle);

        /// <summary>A __local argument of <paramref name="bytes"/> bytes (a null value with a size, as the spec asks).</summary>
        public unsafe void SetLocal(int index, long bytes) =>
            ClApi.Check(Cl.SetKernelArg(Handle, (uint)index, (UIntPtr)(ulong)bytes, null), "clSetKernelArg", $"{Name} argument {index}");

        private unsafe void Set<T>(int index, T value) where T : unmanaged =>
            ClApi.Check(Cl.SetKernelArg(Handle, (uint)index, (UIntPtr)sizeof(T), &value), "clSetKernelArg", $"{Name} argument {index}");

        public void Dispose()
        {
            if (_kernel != IntPtr.Zero) Cl.ReleaseKernel(_kernel);
            _kernel = IntPtr.Zero;
        }
    }
}
