using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace MaceTools.OpenCL
{
    /// <summary>
    /// The OpenCL entry points MaceTools calls, bound from whichever library <see cref="Load"/> found. Only what the
    /// project needs; each delegate mirrors the cl.h prototype (CL_API_CALL is stdcall on Windows, cdecl elsewhere,
    /// which is what CallingConvention.Winapi means).
    /// </summary>
    public sealed class ClApi
    {
        /// <summary>Environment variable that names the OpenCL library to use (a path or a loader name).</summary>
        public const string LibraryVariable = "MACETOOLS_OPENCL_LIBRARY";

        private const string InstallHint =
            "install an OpenCL driver and its ICD loader (Debian/Ubuntu: apt-get install pocl-opencl-icd ocl-icd-libopencl1; " +
            "Windows: the GPU vendor's driver; Android: the vendor's libOpenCL.so), or set " + LibraryVariable + " to the library's path";

        private static readonly object Gate = new object();
        private static ClApi? _default;

        /// <summary>Where the loader looks, in order (the override first, then MACE's own list for Android, then the desktop names).</summary>
        public static IReadOnlyList<string> Candidates(string? overridePath)
        {
            var list = new List<string>();
            if (!string.IsNullOrEmpty(overridePath)) list.Add(overridePath!);
            list.AddRange(new[]
            {
                "libOpenCL.so.1", "libOpenCL.so",
                "/system/vendor/lib64/libOpenCL.so", "/system/lib64/libOpenCL.so", "/vendor/lib64/libOpenCL.so",
                "/system/vendor/lib/libOpenCL.so", "/system/lib/libOpenCL.so", "/vendor/lib/libOpenCL.so",
                "/system/vendor/lib64/egl/libGLES_mali.so", "/system/lib64/egl/libGLES_mali.so", "/vendor/lib64/egl/libGLES_mali.so",
                "/system/vendor/lib/egl/libGLES_mali.so", "/system/lib/egl/libGLES_mali.so", "/vendor/lib/egl/libGLES_mali.so",
                "/system/vendor/lib64/libPVROCL.so", "/vendor/lib64/libPVROCL.so", "/system/vendor/lib/libPVROCL.so", "/vendor/lib/libPVROCL.so",
                "OpenCL.dll",
                "/System/Library/Frameworks/OpenCL.framework/OpenCL",
            });
            return list;
        }

        /// <summary>The process-wide API, loaded once. Throws <see cref="MaceException"/> (OpenClNotFound) naming every place tried.</summary>
        public static ClApi Default
        {
            get
            {
                lock (Gate) return _default ??= Load(Environment.GetEnvironmentVariable(LibraryVariable));
            }
        }

        public static ClApi Load(string? overridePath)
        {
            var tried = new List<string>();
            // An override is the user's explicit choice: it is used or it is an error, never silently replaced.
            var candidates = string.IsNullOrEmpty(overridePath) ? Candidates(null) : new[] { overridePath! };
            foreach (var name in candidates)
            {
                // Absolute paths that do not exist are skipped quietly; loader names are tried as they are.
                if (Path.IsPathRooted(name) && !File.Exists(name)) { tried.Add(name + " (absent)"); continue; }
                if (!NativeLibraryLoader.TryLoad(name, out var handle)) { tried.Add(name + " (does not load)"); continue; }
                if (NativeLibraryLoader.GetExport(handle, "clGetPlatformIDs") == IntPtr.Zero) { tried.Add(name + " (no clGetPlatformIDs)"); continue; }
                return new ClApi(name, handle);
            }
            if (!string.IsNullOrEmpty(overridePath))
                throw new MaceException(ErrorIds.OpenClNotFound, MaceErrorCategory.ObjectNotFound,
                    $"{LibraryVariable}='{overridePath}' is not an OpenCL library ({tried[0]}); {InstallHint}", overridePath);
            throw new MaceException(ErrorIds.OpenClNotFound, MaceErrorCategory.ObjectNotFound,
                $"no OpenCL library found (tried {string.Join(", ", tried)}); {InstallHint}", "OpenCL");
        }

        private readonly IntPtr _handle;

        private ClApi(string library, IntPtr handle)
        {
            Library = library;
            _handle = handle;
            GetPlatformIDs = Bind<clGetPlatformIDs>();
            GetPlatformInfo = Bind<clGetPlatformInfo>();
            GetDeviceIDs = Bind<clGetDeviceIDs>();
            GetDeviceInfo = Bind<clGetDeviceInfo>();
            CreateContext = Bind<clCreateContext>();
            ReleaseContext = Bind<clReleaseContext>();
            CreateProgramWithSource = Bind<clCreateProgramWithSource>();
            CreateProgramWithBinary = Bind<clCreateProgramWithBinary>();
            BuildProgram = Bind<clBuildProgram>();
            GetProgramInfo = Bind<clGetProgramInfo>();
            GetProgramBuildInfo = Bind<clGetProgramBuildInfo>();
            ReleaseProgram = Bind<clReleaseProgram>();
            CreateCommandQueue = Bind<clCreateCommandQueue>();
            ReleaseCommandQueue = Bind<clReleaseCommandQueue>();
            CreateBuffer = Bind<clCreateBuffer>();
            CreateImage = Bind<clCreateImage>();
            ReleaseMemObject = Bind<clReleaseMemObject>();
            CreateKernel = Bind<clCreateKernel>();
            ReleaseKernel = Bind<clReleaseKernel>();
            SetKernelArg = Bind<clSetKernelArg>();
            GetKernelWorkGroupInfo = Bind<clGetKernelWorkGroupInfo>();
            EnqueueNDRangeKernel = Bind<clEnqueueNDRangeKernel>();
            EnqueueWriteImage = Bind<clEnqueueWriteImage>();
            EnqueueReadImage = Bind<clEnqueueReadImage>();
            EnqueueWriteBuffer = Bind<clEnqueueWriteBuffer>();
            EnqueueReadBuffer = Bind<clEnqueueReadBuffer>();
            Finish = Bind<clFinish>();
            WaitForEvents = Bind<clWaitForEvents>();
            GetEventProfilingInfo = Bind<clGetEventProfilingInfo>();
            ReleaseEvent = Bind<clReleaseEvent>();
        }

        /// <summary>The candidate that loaded (a loader name such as libOpenCL.so.1, or a path).</summary>
        public string Library { get; }

        private T Bind<T>() where T : Delegate
        {
            string name = typeof(T).Name;
            IntPtr p = NativeLibraryLoader.GetExport(_handle, name);
            if (p == IntPtr.Zero)
                throw new MaceException(ErrorIds.OpenClNotFound, MaceErrorCategory.ObjectNotFound, $"{Library} has no export {name}: it is not a complete OpenCL 1.2 library", Library);
            return Marshal.GetDelegateForFunctionPointer<T>(p);
        }

        internal readonly clGetPlatformIDs GetPlatformIDs;
        internal readonly clGetPlatformInfo GetPlatformInfo;
        internal readonly clGetDeviceIDs GetDeviceIDs;
        internal readonly clGetDeviceInfo GetDeviceInfo;
        internal readonly clCreateContext CreateContext;
        internal readonly clReleaseContext ReleaseContext;
        internal readonly clCreateProgramWithSource CreateProgramWithSource;
        internal readonly clCreateProgramWithBinary CreateProgramWithBinary;
        internal readonly clBuildProgram BuildProgram;
        internal readonly clGetProgramInfo GetProgramInfo;
        internal readonly clGetProgramBuildInfo GetProgramBuildInfo;
        internal readonly clReleaseProgram ReleaseProgram;
        internal readonly clCreateCommandQueue CreateCommandQueue;
        internal readonly clReleaseCommandQueue ReleaseCommandQueue;
        internal readonly clCreateBuffer CreateBuffer;
        internal readonly clCreateImage CreateImage;
        internal readonly clReleaseMemObject ReleaseMemObject;
        internal readonly clCreateKernel CreateKernel;
        internal readonly clReleaseKernel ReleaseKernel;
        internal readonly clSetKernelArg SetKernelArg;
        internal readonly clGetKernelWorkGroupInfo GetKernelWorkGroupInfo;
        internal readonly clEnqueueNDRangeKernel EnqueueNDRangeKernel;
        internal readonly clEnqueueWriteImage EnqueueWriteImage;
        internal readonly clEnqueueReadImage EnqueueReadImage;
        internal readonly clEnqueueWriteBuffer EnqueueWriteBuffer;
        internal readonly clEnqueueReadBuffer EnqueueReadBuffer;
        internal readonly clFinish Finish;
        internal readonly clWaitForEvents WaitForEvents;
        internal readonly clGetEventProfilingInfo GetEventProfilingInfo;
        internal readonly clReleaseEvent ReleaseEvent;

        // Prototypes (cl.h). Delegate names are the export names.
#pragma warning disable IDE1006
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clGetPlatformIDs(uint numEntries, IntPtr[]? platforms, out uint numPlatforms);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clGetPlatformInfo(IntPtr platform, uint param, UIntPtr size, byte[]? value, out UIntPtr sizeRet);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clGetDeviceIDs(IntPtr platform, ulong type, uint numEntries, IntPtr[]? devices, out uint numDevices);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clGetDeviceInfo(IntPtr device, uint param, UIntPtr size, byte[]? value, out UIntPtr sizeRet);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate IntPtr clCreateContext(IntPtr properties, uint numDevices, IntPtr[] devices, IntPtr notify, IntPtr userData, out int status);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clReleaseContext(IntPtr context);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate IntPtr clCreateProgramWithSource(IntPtr context, uint count, IntPtr[] strings, UIntPtr[] lengths, out int status);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate IntPtr clCreateProgramWithBinary(IntPtr context, uint numDevices, IntPtr[] devices, UIntPtr[] lengths, IntPtr[] binaries, int[] binaryStatus, out int status);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clBuildProgram(IntPtr program, uint numDevices, IntPtr[] devices, byte[] options, IntPtr notify, IntPtr userData);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clGetProgramInfo(IntPtr program, uint param, UIntPtr size, IntPtr value, out UIntPtr sizeRet);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clGetProgramBuildInfo(IntPtr program, IntPtr device, uint param, UIntPtr size, byte[]? value, out UIntPtr sizeRet);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clReleaseProgram(IntPtr program);
        // clCreateCommandQueue is deprecated in 2.0 but present everywhere, and the only form 1.2 devices have.
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate IntPtr clCreateCommandQueue(IntPtr context, IntPtr device, ulong properties, out int status);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clReleaseCommandQueue(IntPtr queue);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate IntPtr clCreateBuffer(IntPtr context, ulong flags, UIntPtr size, IntPtr hostPtr, out int status);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate IntPtr clCreateImage(IntPtr context, ulong flags, ref ClImageFormat format, ref ClImageDesc desc, IntPtr hostPtr, out int status);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clReleaseMemObject(IntPtr memory);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate IntPtr clCreateKernel(IntPtr program, byte[] name, out int status);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clReleaseKernel(IntPtr kernel);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clSetKernelArg(IntPtr kernel, uint index, UIntPtr size, IntPtr value);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clGetKernelWorkGroupInfo(IntPtr kernel, IntPtr device, uint param, UIntPtr size, byte[] value, out UIntPtr sizeRet);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clEnqueueNDRangeKernel(IntPtr queue, IntPtr kernel, uint workDim, UIntPtr[]? offset, UIntPtr[] global, UIntPtr[]? local, uint numEvents, IntPtr[]? waitList, out IntPtr evt);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clEnqueueWriteImage(IntPtr queue, IntPtr image, uint blocking, UIntPtr[] origin, UIntPtr[] region, UIntPtr rowPitch, UIntPtr slicePitch, IntPtr ptr, uint numEvents, IntPtr[]? waitList, IntPtr evt);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clEnqueueReadImage(IntPtr queue, IntPtr image, uint blocking, UIntPtr[] origin, UIntPtr[] region, UIntPtr rowPitch, UIntPtr slicePitch, IntPtr ptr, uint numEvents, IntPtr[]? waitList, IntPtr evt);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clEnqueueWriteBuffer(IntPtr queue, IntPtr buffer, uint blocking, UIntPtr offset, UIntPtr size, IntPtr ptr, uint numEvents, IntPtr[]? waitList, IntPtr evt);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clEnqueueReadBuffer(IntPtr queue, IntPtr buffer, uint blocking, UIntPtr offset, UIntPtr size, IntPtr ptr, uint numEvents, IntPtr[]? waitList, IntPtr evt);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clFinish(IntPtr queue);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clWaitForEvents(uint count, IntPtr[] events);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clGetEventProfilingInfo(IntPtr evt, uint param, UIntPtr size, out ulong value, out UIntPtr sizeRet);
        [UnmanagedFunctionPointer(CallingConvention.Winapi)] internal delegate int clReleaseEvent(IntPtr evt);
#pragma warning restore IDE1006

        internal static void Check(int status, string function, object? target = null)
        {
            if (status != ClErrors.Success) throw new ClException(function, status, target: target);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct ClImageFormat
    {
        public uint ChannelOrder;
        public uint ChannelDataType;
    }

    /// <summary>cl_image_desc (OpenCL 1.2): sizes are size_t, the trailing union is a cl_mem.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ClImageDesc
    {
        public uint ImageType;
        public UIntPtr Width, Height, Depth, ArraySize, RowPitch, SlicePitch;
        public uint MipLevels, Samples;
        public IntPtr Buffer;
    }
}
