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
#pragma warning restore IDE1006

        internal static void Check(int status, string function, object? target = null)
        {
            if (status != ClErrors.Success) throw new ClException(function, status, target: target);
        }
    }
}
