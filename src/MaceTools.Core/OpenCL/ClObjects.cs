using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;

namespace MaceTools.OpenCL
{
    /// <summary>cl.h parameter names this project queries.</summary>
    internal static class ClInfo
    {
        public const uint PlatformProfile = 0x0900, PlatformVersion = 0x0901, PlatformName = 0x0902, PlatformVendor = 0x0903;
        public const uint DeviceType = 0x1000, DeviceMaxComputeUnits = 0x1002, DeviceMaxWorkGroupSize = 0x1004,
            DeviceMaxWorkItemSizes = 0x1005, DeviceMaxClockFrequency = 0x100C, DeviceImage2DMaxWidth = 0x1011, DeviceImage2DMaxHeight = 0x1012,
            DeviceImageSupport = 0x1016, DeviceGlobalMemCacheSize = 0x101E, DeviceGlobalMemSize = 0x101F, DeviceLocalMemSize = 0x1023,
            DeviceName = 0x102B, DeviceVendor = 0x102C, DriverVersion = 0x102D, DeviceVersion = 0x102F,
            DeviceExtensions = 0x1030, DeviceOpenCLCVersion = 0x103D;
        public const uint ProgramBinarySizes = 0x1165, ProgramBinaries = 0x1166, ProgramKernelNames = 0x1168;
        public const uint ProgramBuildLog = 0x1183;
        public const ulong DeviceTypeAll = 0xFFFFFFFF;
        public const uint KernelWorkGroupSize = 0x11B0;
        public const uint DeviceNativeVectorWidthFloat = 0x103A;
        public const uint ProfilingCommandStart = 0x1282, ProfilingCommandEnd = 0x1283;
        public const ulong QueueProfilingEnable = 1 << 1;
        public const ulong MemReadWrite = 1;
        public const uint Rgba = 0x10B5, Float = 0x10DE, HalfFloat = 0x10DD, MemObjectImage2D = 0x10F1;
    }

    /// <summary>One platform and one of its devices as native handles (valid for the life of the process).</summary>
    public sealed class ClDeviceHandle
    {
        internal ClDeviceHandle(ClApi api, IntPtr platform, IntPtr device)
        {
            Api = api;
            Platform = platform;
            Device = device;
        }

        public ClApi Api { get; }
        public IntPtr Platform { get; }
        public IntPtr Device { get; }

        /// <summary>Every device of every platform, platforms in the order the ICD loader lists them (MACE takes the first).</summary>
        public static List<List<ClDeviceHandle>> Enumerate(ClApi api)
        {
            var result = new List<List<ClDeviceHandle>>();
            int status = api.GetPlatformIDs(0, null, out uint count);
            // The ICD loader says "no platform" with -1001 when no driver is registered.
            if (status == ClErrors.PlatformNotFoundKhr || count == 0) return result;
            ClApi.Check(status, "clGetPlatformIDs");
            var platforms = new IntPtr[count];
            ClApi.Check(api.GetPlatformIDs(count, platforms, out _), "clGetPlatformIDs");
            foreach (var p in platforms)
            {
                var devices = new List<ClDeviceHandle>();
                status = api.GetDeviceIDs(p, ClInfo.DeviceTypeAll, 0, null, out uint n);
                if (status == ClErrors.DeviceNotFound || n == 0) { result.Add(devices); continue; }
                ClApi.Check(status, "clGetDeviceIDs");
                var ids = new IntPtr[n];
                ClApi.Check(api.GetDeviceIDs(p, ClInfo.DeviceTypeAll, n, ids, out _), "clGetDeviceIDs");
                foreach (var d in ids) devices.Add(new ClDeviceHandle(api, p, d));
                result.Add(devices);
            }
            return result;
        }

        public string PlatformString(uint param)
        {
            ClApi.Check(Api.GetPlatformInfo(Platform, param, UIntPtr.Zero, null, out var size), "clGetPlatformInfo");
            var buf = new byte[(int)size];
            ClApi.Check(Api.GetPlatformInfo(Platform, param, (UIntPtr)buf.Length, buf, out _), "clGetPlatformInfo");
            return CString(buf);
        }

        public byte[] DeviceBytes(uint param)
        {
            ClApi.Check(Api.GetDeviceInfo(Device, param, UIntPtr.Zero, null, out var size), "clGetDeviceInfo");
            var buf = new byte[(int)size];
            ClApi.Check(Api.GetDeviceInfo(Device, param, (UIntPtr)buf.Length, buf, out _), "clGetDeviceInfo");
            return buf;
        }

        public string DeviceString(uint param) => CString(DeviceBytes(param));

        /// <summary>A cl_uint, cl_ulong, size_t or cl_bool value, by its returned size.</summary>
        public ulong DeviceNumber(uint param)
        {
            var b = DeviceBytes(param);
            return b.Length >= 8 ? BitConverter.ToUInt64(b, 0) : b.Length >= 4 ? BitConverter.ToUInt32(b, 0) : 0;
        }

        /// <summary>A size_t[] value.</summary>
        public long[] DeviceSizes(uint param)
        {
            var b = DeviceBytes(param);
            int w = IntPtr.Size;
            var r = new long[b.Length / w];
            for (int i = 0; i < r.Length; i++) r[i] = w == 8 ? BitConverter.ToInt64(b, i * 8) : BitConverter.ToUInt32(b, i * 4);
            return r;
        }

        internal static string CString(byte[] buf)
        {
            int n = Array.IndexOf(buf, (byte)0);
            return Encoding.UTF8.GetString(buf, 0, n < 0 ? buf.Length : n);
        }
    }

    /// <summary>A context on one device; programs made in it are released with it.</summary>
    public sealed class ClContext : IDisposable
    {
        private IntPtr _context;

        public ClContext(ClDeviceHandle device)
        {
            Device = device;
            _context = device.Api.CreateContext(IntPtr.Zero, 1, new[] { device.Device }, IntPtr.Zero, IntPtr.Zero, out int status);
            ClApi.Check(status, "clCreateContext");
        }

        public ClDeviceHandle Device { get; }
        private ClApi Api => Device.Api;

        public ClProgram FromSource(string source)
        {
            byte[] text = Encoding.UTF8.GetBytes(source);
            IntPtr mem = Marshal.AllocHGlobal(text.Length + 1);
            try
            {
                Marshal.Copy(text, 0, mem, text.Length);
                Marshal.WriteByte(mem, text.Length, 0);
                IntPtr p = Api.CreateProgramWithSource(Handle, 1, new[] { mem }, new[] { (UIntPtr)text.Length }, out int status);
                ClApi.Check(status, "clCreateProgramWithSource");
                return new ClProgram(this, p);
            }
            finally { Marshal.FreeHGlobal(mem); }
        }

        /// <summary>clCreateProgramWithBinary. A binary the driver refuses is a <see cref="ClException"/> with the binary status as detail.</summary>
        public ClProgram FromBinary(byte[] binary)
        {
            var pin = GCHandle.Alloc(binary, GCHandleType.Pinned);
            try
            {
                var binaryStatus = new int[1];
                IntPtr p = Api.CreateProgramWithBinary(Handle, 1, new[] { Device.Device }, new[] { (UIntPtr)binary.Length },
                    new[] { pin.AddrOfPinnedObject() }, binaryStatus, out int status);
                if (status != ClErrors.Success)
                    throw new ClException("clCreateProgramWithBinary", status, binaryStatus[0] != ClErrors.Success ? "binary status " + ClErrors.Name(binaryStatus[0]) : null);
                return new ClProgram(this, p);
            }
            finally { pin.Free(); }
        }

        internal IntPtr Handle => _context != IntPtr.Zero ? _context : throw new ObjectDisposedException(nameof(ClContext));

        public void Dispose()
        {
            if (_context != IntPtr.Zero) Api.ReleaseContext(_context);
            _context = IntPtr.Zero;
        }
    }

    /// <summary>A program object: build it, read its binary and kernel names.</summary>
    public sealed class ClProgram : IDisposable
    {
        private readonly ClContext _context;
        private IntPtr _program;

        internal ClProgram(ClContext context, IntPtr program)
        {
            _context = context;
            _program = program;
        }

        private ClApi Api => _context.Device.Api;
        internal IntPtr Handle => _program != IntPtr.Zero ? _program : throw new ObjectDisposedException(nameof(ClProgram));
        internal ClContext Context => _context;

        /// <summary>clBuildProgram; returns the status (not thrown: a failed build is a result) and the build log.</summary>
        public ClBuildResult Build(string options)
        {
            var opts = Encoding.UTF8.GetBytes(options + "\0");
            int status = Api.BuildProgram(Handle, 1, new[] { _context.Device.Device }, opts, IntPtr.Zero, IntPtr.Zero);
            string log = status == ClErrors.Success ? "" : BuildLog();
            return new ClBuildResult(status, log);
        }

        public string BuildLog()
        {
            var dev = _context.Device.Device;
            if (Api.GetProgramBuildInfo(Handle, dev, ClInfo.ProgramBuildLog, UIntPtr.Zero, null, out var size) != 0) return "";
            var buf = new byte[(int)size];
            return Api.GetProgramBuildInfo(Handle, dev, ClInfo.ProgramBuildLog, (UIntPtr)buf.Length, buf, out _) != 0 ? "" : ClDeviceHandle.CString(buf).Trim();
        }

        /// <summary>CL_PROGRAM_BINARIES[0]: what MACE stores under the program key.</summary>
        public byte[] Binary()
        {
            IntPtr sizeBuf = Marshal.AllocHGlobal(IntPtr.Size);
            try
            {
                ClApi.Check(Api.GetProgramInfo(Handle, ClInfo.ProgramBinarySizes, (UIntPtr)IntPtr.Size, sizeBuf, out _), "clGetProgramInfo(CL_PROGRAM_BINARY_SIZES)");
                long size = IntPtr.Size == 8 ? Marshal.ReadInt64(sizeBuf) : Marshal.ReadInt32(sizeBuf);
                var binary = new byte[size];
                var pin = GCHandle.Alloc(binary, GCHandleType.Pinned);
                IntPtr ptrs = Marshal.AllocHGlobal(IntPtr.Size);
                try
                {
                    Marshal.WriteIntPtr(ptrs, pin.AddrOfPinnedObject());
                    ClApi.Check(Api.GetProgramInfo(Handle, ClInfo.ProgramBinaries, (UIntPtr)IntPtr.Size, ptrs, out _), "clGetProgramInfo(CL_PROGRAM_BINARIES)");
                }
                finally
                {
                    Marshal.FreeHGlobal(ptrs);
                    pin.Free();
                }
                return binary;
            }
            finally { Marshal.FreeHGlobal(sizeBuf); }
        }

        /// <summary>The kernels of a built program (CL_PROGRAM_KERNEL_NAMES, OpenCL 1.2).</summary>
        public string[] KernelNames()
        {
            ClApi.Check(Api.GetProgramInfo(Handle, ClInfo.ProgramKernelNames, UIntPtr.Zero, IntPtr.Zero, out var size), "clGetProgramInfo(CL_PROGRAM_KERNEL_NAMES)");
            IntPtr buf = Marshal.AllocHGlobal((int)size);
            try
            {
                ClApi.Check(Api.GetProgramInfo(Handle, ClInfo.ProgramKernelNames, size, buf, out _), "clGetProgramInfo(CL_PROGRAM_KERNEL_NAMES)");
                var bytes = new byte[(int)size];
                Marshal.Copy(buf, bytes, 0, bytes.Length);
                string names = ClDeviceHandle.CString(bytes);
                return names.Length == 0 ? new string[0] : names.Split(';');
            }
            finally { Marshal.FreeHGlobal(buf); }
        }

        public void Dispose()
        {
            if (_program != IntPtr.Zero) Api.ReleaseProgram(_program);
            _program = IntPtr.Zero;
        }
    }

    /// <summary>The outcome of clBuildProgram.</summary>
    public sealed class ClBuildResult
    {
        public ClBuildResult(int status, string log)
        {
            Status = status;
            Log = log;
        }

        public int Status { get; }
        public string StatusName => ClErrors.Name(Status);
        public bool Succeeded => Status == ClErrors.Success;
        public string Log { get; }
    }
}
