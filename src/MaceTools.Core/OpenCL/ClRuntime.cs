using System;
using System.Runtime.InteropServices;
using System.Text;

namespace MaceTools.OpenCL
{
    /// <summary>An in-order command queue with profiling on, so every launch can report its device time.</summary>
    public sealed class ClQueue : IDisposable
    {
        private IntPtr _queue;

        public ClQueue(ClContext context)
        {
            Context = context;
            _queue = Api.CreateCommandQueue(context.Handle, context.Device.Device, ClInfo.QueueProfilingEnable, out int status);
            ClApi.Check(status, "clCreateCommandQueue");
        }

        public ClContext Context { get; }
        private ClApi Api => Context.Device.Api;
        private IntPtr Handle => _queue != IntPtr.Zero ? _queue : throw new ObjectDisposedException(nameof(ClQueue));

        /// <summary>
        /// Enqueues the kernel over <paramref name="global"/> (with <paramref name="local"/>, or the driver's choice when
        /// null), waits for it, and returns its device time in nanoseconds (CL_PROFILING_COMMAND_END - START, as MACE's
        /// tuner measures).
        /// </summary>
        public ulong Run(ClKernel kernel, long[] global, long[]? local = null, long[]? offset = null)
        {
            var g = Sizes(global);
            int status = Api.EnqueueNDRangeKernel(Handle, kernel.Handle, (uint)g.Length, offset == null ? null : Sizes(offset), g,
                local == null ? null : Sizes(local), 0, null, out IntPtr evt);
            if (status != ClErrors.Success)
                throw new ClException("clEnqueueNDRangeKernel", status,
                    $"kernel {kernel.Name}, global [{string.Join(",", global)}], local [{(local == null ? "null" : string.Join(",", local))}]", target: kernel.Name);
            try
            {
                ClApi.Check(Api.WaitForEvents(1, new[] { evt }), "clWaitForEvents", kernel.Name);
                ClApi.Check(Api.GetEventProfilingInfo(evt, ClInfo.ProfilingCommandStart, (UIntPtr)8, out ulong start, out _), "clGetEventProfilingInfo");
                ClApi.Check(Api.GetEventProfilingInfo(evt, ClInfo.ProfilingCommandEnd, (UIntPtr)8, out ulong end, out _), "clGetEventProfilingInfo");
                return end >= start ? end - start : 0;
            }
            finally { Api.ReleaseEvent(evt); }
        }

        /// <summary>Writes a whole RGBA float image from <paramref name="pixels"/> (width * height * 4 values).</summary>
        public void WriteImage(ClImage image, float[] pixels)
        {
            CheckLength(pixels.Length, image.Width * image.Height * 4, image);
            var pin = GCHandle.Alloc(pixels, GCHandleType.Pinned);
            try
            {
                ClApi.Check(Api.EnqueueWriteImage(Handle, image.Handle, 1, Sizes(new long[] { 0, 0, 0 }), Sizes(new long[] { image.Width, image.Height, 1 }),
                    UIntPtr.Zero, UIntPtr.Zero, pin.AddrOfPinnedObject(), 0, null, IntPtr.Zero), "clEnqueueWriteImage");
            }
            finally { pin.Free(); }
        }

        public float[] ReadImage(ClImage image)
        {
            var pixels = new float[image.Width * image.Height * 4];
            var pin = GCHandle.Alloc(pixels, GCHandleType.Pinned);
            try
            {
                ClApi.Check(Api.EnqueueReadImage(Handle, image.Handle, 1, Sizes(new long[] { 0, 0, 0 }), Sizes(new long[] { image.Width, image.Height, 1 }),
                    UIntPtr.Zero, UIntPtr.Zero, pin.AddrOfPinnedObject(), 0, null, IntPtr.Zero), "clEnqueueReadImage");
            }
            finally { pin.Free(); }
            return pixels;
        }

        public void WriteBuffer(ClBuffer buffer, float[] values)
        {
            CheckLength(values.Length * 4, buffer.Bytes, buffer);
            var pin = GCHandle.Alloc(values, GCHandleType.Pinned);
            try
            {
                ClApi.Check(Api.EnqueueWriteBuffer(Handle, buffer.Handle, 1, UIntPtr.Zero, (UIntPtr)(values.Length * 4), pin.AddrOfPinnedObject(), 0, null, IntPtr.Zero), "clEnqueueWriteBuffer");
            }
            finally { pin.Free(); }
        }

        public float[] ReadBuffer(ClBuffer buffer)
        {
            var values = new float[buffer.Bytes / 4];
            var pin = GCHandle.Alloc(values, GCHandleType.Pinned);
            try
            {
                ClApi.Check(Api.EnqueueReadBuffer(Handle, buffer.Handle, 1, UIntPtr.Zero, (UIntPtr)(values.Length * 4), pin.AddrOfPinnedObject(), 0, null, IntPtr.Zero), "clEnqueueReadBuffer");
            }
            finally { pin.Free(); }
            return values;
        }

        public void Finish() => ClApi.Check(Api.Finish(Handle), "clFinish");

        private static void CheckLength(long actual, long expected, object target)
        {
            if (actual != expected) throw new ArgumentException($"{target}: {actual} values given, {expected} expected");
        }

        private static UIntPtr[] Sizes(long[] values)
        {
            var r = new UIntPtr[values.Length];
            for (int i = 0; i < values.Length; i++) r[i] = (UIntPtr)(ulong)values[i];
            return r;
        }

        public void Dispose()
        {
            if (_queue != IntPtr.Zero) Api.ReleaseCommandQueue(_queue);
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
            if (_memory != IntPtr.Zero) Context.Device.Api.ReleaseMemObject(_memory);
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

        public static ClImage Create(ClContext context, long width, long height, bool half = false)
        {
            var format = new ClImageFormat { ChannelOrder = ClInfo.Rgba, ChannelDataType = half ? ClInfo.HalfFloat : ClInfo.Float };
            var desc = new ClImageDesc { ImageType = ClInfo.MemObjectImage2D, Width = (UIntPtr)(ulong)width, Height = (UIntPtr)(ulong)height };
            IntPtr p = context.Device.Api.CreateImage(context.Handle, ClInfo.MemReadWrite, ref format, ref desc, IntPtr.Zero, out int status);
            ClApi.Check(status, "clCreateImage", $"{width}x{height}");
            return new ClImage(context, p, width, height, half);
        }

        public override string ToString() => $"image {Width}x{Height}";
    }

    public sealed class ClBuffer : ClMemory
    {
        private ClBuffer(ClContext context, IntPtr memory, long bytes) : base(context, memory) => Bytes = bytes;

        public long Bytes { get; }

        public static ClBuffer Create(ClContext context, long bytes)
        {
            IntPtr p = context.Device.Api.CreateBuffer(context.Handle, ClInfo.MemReadWrite, (UIntPtr)(ulong)Math.Max(bytes, 4), IntPtr.Zero, out int status);
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
        public ClKernel(ClProgram program, string name)
        {
            _program = program;
            Name = name;
            _kernel = Api.CreateKernel(program.Handle, Encoding.ASCII.GetBytes(name + "\0"), out int status);
            ClApi.Check(status, "clCreateKernel", name);
        }

        public string Name { get; }
        private ClApi Api => _program.Context.Device.Api;
        internal IntPtr Handle => _kernel != IntPtr.Zero ? _kernel : throw new ObjectDisposedException(nameof(ClKernel));

        /// <summary>CL_KERNEL_WORK_GROUP_SIZE on the program's device: MACE's <c>kwg</c>.</summary>
        public long WorkGroupSize
        {
            get
            {
                var buf = new byte[8];
                ClApi.Check(Api.GetKernelWorkGroupInfo(Handle, _program.Context.Device.Device, ClInfo.KernelWorkGroupSize, (UIntPtr)IntPtr.Size, buf, out _), "clGetKernelWorkGroupInfo", Name);
                return IntPtr.Size == 8 ? BitConverter.ToInt64(buf, 0) : BitConverter.ToInt32(buf, 0);
            }
        }

        public void SetInt(int index, int value) => Set(index, BitConverter.GetBytes(value));
        public void SetFloat(int index, float value) => Set(index, BitConverter.GetBytes(value));
        public void SetMemory(int index, ClMemory memory) => Set(index, IntPtr.Size == 8 ? BitConverter.GetBytes((long)memory.Handle) : BitConverter.GetBytes((int)memory.Handle));

        /// <summary>A __local argument of <paramref name="bytes"/> bytes (a null value with a size, as the spec asks).</summary>
        public void SetLocal(int index, long bytes) =>
            ClApi.Check(Api.SetKernelArg(Handle, (uint)index, (UIntPtr)(ulong)bytes, IntPtr.Zero), "clSetKernelArg", $"{Name} argument {index}");

        private void Set(int index, byte[] value)
        {
            var pin = GCHandle.Alloc(value, GCHandleType.Pinned);
            try { ClApi.Check(Api.SetKernelArg(Handle, (uint)index, (UIntPtr)value.Length, pin.AddrOfPinnedObject()), "clSetKernelArg", $"{Name} argument {index}"); }
            finally { pin.Free(); }
        }

        public void Dispose()
        {
            if (_kernel != IntPtr.Zero) Api.ReleaseKernel(_kernel);
            _kernel = IntPtr.Zero;
        }
    }
}
