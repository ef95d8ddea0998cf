using System;
using System.Collections.Generic;
using System.Text;
using Silk.NET.OpenCL;
using ClPlatformInfo = Silk.NET.OpenCL.PlatformInfo;

namespace MaceTools.OpenCL
{
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

        // The ICD loader's and pocl's first-call initialisation is not safe across threads: two threads listing at once
        // can be told "no device" (seen here as a flaky "no OpenCL device found" between parallel tests). One at a time.
        private static readonly object EnumerateLock = new object();

        /// <summary>Every device of every platform, platforms in the order the ICD loader lists them (MACE takes the first).</summary>
        public static List<List<ClDeviceHandle>> Enumerate(ClApi api)
        {
            lock (EnumerateLock) return EnumerateUnlocked(api);
        }

        private static unsafe List<List<ClDeviceHandle>> EnumerateUnlocked(ClApi api)
        {
            var cl = api.Cl;
            var result = new List<List<ClDeviceHandle>>();
            uint count = 0;
            int status = cl.GetPlatformIDs(0, null, &count);
            // The ICD loader says "no platform" with -1001 when no driver is registered.
            if (status == ClErrors.PlatformNotFoundKhr || count == 0) return result;
            ClApi.Check(status, "clGetPlatformIDs");
            var platforms = new IntPtr[count];
            fixed (IntPtr* p = platforms) ClApi.Check(cl.GetPlatformIDs(count, p, null), "clGetPlatformIDs");
            foreach (var p in platforms)
            {
                var devices = new List<ClDeviceHandle>();
                uint n = 0;
                status = cl.GetDeviceIDs(p, DeviceType.All, 0, null, &n);
                if (status == ClErrors.DeviceNotFound || n == 0) { result.Add(devices); continue; }
                ClApi.Check(status, "clGetDeviceIDs");
                var ids = new IntPtr[n];
                fixed (IntPtr* d = ids) ClApi.Check(cl.GetDeviceIDs(p, DeviceType.All, n, d, null), "clGetDeviceIDs");
                foreach (var d in ids) devices.Add(new ClDeviceHandle(api, p, d));
                result.Add(devices);
            }
            return result;
        }

        public unsafe string PlatformString(ClPlatformInfo param) =>
            CString(ClApi.Query((size, value, sizeRet) => Api.Cl.GetPlatformInfo(Platform, param, size, value, sizeRet), "clGetPlatformInfo"));

        public unsafe byte[] DeviceBytes(DeviceInfo param) =>
            ClApi.Query((size, value, sizeRet) => Api.Cl.GetDeviceInfo(Device, param, size, value, sizeRet), "clGetDeviceInfo");

        public string DeviceString(DeviceInfo param) => CString(DeviceBytes(param));

        /// <summary>A cl_uint, cl_ulong, size_t or cl_bool value, by its returned size.</summary>
        public ulong DeviceNumber(DeviceInfo param)
        {
            var b = DeviceBytes(param);
            return b.Length >= 8 ? BitConverter.ToUInt64(b, 0) : b.Length >= 4 ? BitConverter.ToUInt32(b, 0) : 0;
        }

        /// <summary>A size_t[] value.</summary>
        public long[] DeviceSizes(DeviceInfo param)
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

        public unsafe ClContext(ClDeviceHandle device)
        {
            Device = device;
            IntPtr d = device.Device;
            int status = 0;
            _context = Cl.CreateContext(null, 1, &d, null, null, &status);
            ClApi.Check(status, "clCreateContext");
        }

        public ClDeviceHandle Device { get; }
        private CL Cl => Device.Api.Cl;

        public unsafe ClProgram FromSource(string source)
        {
            byte[] text = Encoding.UTF8.GetBytes(source + "\0");
            fixed (byte* t = text)
            {
                byte* strings = t;
                var length = (UIntPtr)(text.Length - 1);
                int status = 0;
                IntPtr p = Cl.CreateProgramWithSource(Handle, 1, &strings, &length, &status);
                ClApi.Check(status, "clCreateProgramWithSource");
                return new ClProgram(this, p);
            }
        }

        /// <summary>clCreateProgramWithBinary. A binary the driver refuses is a <see cref="ClException"/> with the binary status as detail.</summary>
        public unsafe ClProgram FromBinary(byte[] binary)
        {
            fixed (byte* b = binary)
            {
                byte* binaries = b;
                IntPtr d = Device.Device;
                var length = (UIntPtr)binary.Length;
                int binaryStatus = 0, status = 0;
                IntPtr p = Cl.CreateProgramWithBinary(Handle, 1, &d, &length, &binaries, &binaryStatus, &status);
                if (status != ClErrors.Success)
                    throw new ClException("clCreateProgramWithBinary", status, binaryStatus != ClErrors.Success ? "binary status " + ClErrors.Name(binaryStatus) : null);
                return new ClProgram(this, p);
            }
        }

        internal IntPtr Handle => _context != IntPtr.Zero ? _context : throw new ObjectDisposedException(nameof(ClContext));

        public void Dispose()
        {
            if (_context != IntPtr.Zero) Cl.ReleaseContext(_context);
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

        private CL Cl => _context.Device.Api.Cl;
        internal IntPtr Handle => _program != IntPtr.Zero ? _program : throw new ObjectDisposedException(nameof(ClProgram));
        internal ClContext Context => _context;

        /// <summary>clBuildProgram; returns the status (not thrown: a failed build is a result) and the build log.</summary>
        public unsafe ClBuildResult Build(string options)
        {
            IntPtr d = _context.Device.Device;
            int status = Cl.BuildProgram(Handle, 1, &d, options, null, null);
            string log = status == ClErrors.Success ? "" : BuildLog();
            return new ClBuildResult(status, log);
        }

        public unsafe string BuildLog()
        {
            var dev = _context.Device.Device;
            try { return ClDeviceHandle.CString(ClApi.Query((size, value, sizeRet) => Cl.GetProgramBuildInfo(Handle, dev, ProgramBuildInfo.BuildLog, size, value, sizeRet), "clGetProgramBuildInfo")).Trim(); }
            catch (ClException) { return ""; }
        }

        /// <summary>CL_PROGRAM_BINARIES[0]: what MACE stores under the program key (the context has one device).</summary>
        public unsafe byte[] Binary()
        {
            UIntPtr size = UIntPtr.Zero;
            ClApi.Check(Cl.GetProgramInfo(Handle, ProgramInfo.BinarySizes, (UIntPtr)sizeof(UIntPtr), &size, null), "clGetProgramInfo(CL_PROGRAM_BINARY_SIZES)");
            var binary = new byte[(long)(ulong)size];
            fixed (byte* b = binary)
            {
                byte* binaries = b;
                ClApi.Check(Cl.GetProgramInfo(Handle, ProgramInfo.Binaries, (UIntPtr)sizeof(byte*), &binaries, null), "clGetProgramInfo(CL_PROGRAM_BINARIES)");
            }
            return binary;
        }

        /// <summary>The kernels of a built program (CL_PROGRAM_KERNEL_NAMES, OpenCL 1.2).</summary>
        public unsafe string[] KernelNames()
        {
            string names = ClDeviceHandle.CString(ClApi.Query((size, value, sizeRet) => Cl.GetProgramInfo(Handle, ProgramInfo.KernelNames, size, value, sizeRet), "clGetProgramInfo(CL_PROGRAM_KERNEL_NAMES)"));
            return names.Length == 0 ? new string[0] : names.Split(';');
        }

        public void Dispose()
        {
            if (_program != IntPtr.Zero) Cl.ReleaseProgram(_program);
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
