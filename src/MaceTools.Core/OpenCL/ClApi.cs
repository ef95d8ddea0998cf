using System;
using System.Collections.Generic;
using System.IO;
using Silk.NET.Core.Contexts;
using Silk.NET.Core.Loader;
using Silk.NET.OpenCL;

namespace MaceTools.OpenCL
{
    /// <summary>
    /// The OpenCL library <see cref="Load"/> found (our search order, MACE's Android paths included) and Silk.NET's
    /// bindings over it.
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
            var loader = LibraryLoader.GetPlatformDefaultLoader();
            var tried = new List<string>();
            // An override is the user's explicit choice: it is used or it is an error, never silently replaced.
            var candidates = string.IsNullOrEmpty(overridePath) ? Candidates(null) : new[] { overridePath! };
            foreach (var name in candidates)
            {
                // Absolute paths that do not exist are skipped quietly; loader names are tried as they are.
                if (Path.IsPathRooted(name) && !File.Exists(name)) { tried.Add(name + " (absent)"); continue; }
                if (!loader.TryLoadNativeLibrary(name, ExactName.Instance, out var handle)) { tried.Add(name + " (does not load)"); continue; }
                if (!loader.TryLoadFunctionPointer(handle, "clGetPlatformIDs", out _))
                {
                    loader.FreeNativeLibrary(handle);
                    tried.Add(name + " (no clGetPlatformIDs)");
                    continue;
                }
                return new ClApi(name, loader, handle);
            }
            if (!string.IsNullOrEmpty(overridePath))
                throw new MaceException(ErrorIds.OpenClNotFound, MaceErrorCategory.ObjectNotFound,
                    $"{LibraryVariable}='{overridePath}' is not an OpenCL library ({tried[0]}); {InstallHint}", overridePath);
            throw new MaceException(ErrorIds.OpenClNotFound, MaceErrorCategory.ObjectNotFound,
                $"no OpenCL library found (tried {string.Join(", ", tried)}); {InstallHint}", "OpenCL");
        }

        private ClApi(string library, LibraryLoader loader, IntPtr handle)
        {
            Library = library;
            // Silk.NET binds each entry point on its first call, from the library we chose.
            Cl = new CL(new LamdaNativeContext(name => loader.TryLoadFunctionPointer(handle, name, out var p) ? p
                : throw new MaceException(ErrorIds.OpenClNotFound, MaceErrorCategory.ObjectNotFound, $"{library} has no export {name}: it is not a complete OpenCL 1.2 library", library)));
        }

        /// <summary>The candidate that loaded (a loader name such as libOpenCL.so.1, or a path).</summary>
        public string Library { get; }

        internal CL Cl { get; }

        /// <summary>Silk.NET's resolver would also try the app folder and NuGet runtime folders; we try exactly our list, in order.</summary>
        private sealed class ExactName : PathResolver
        {
            public static readonly ExactName Instance = new ExactName();

            public override IEnumerable<string> EnumeratePossibleLibraryLoadTargets(string name)
            {
                yield return name;
            }
        }

        internal static void Check(int status, string function, object? target = null)
        {
            if (status != ClErrors.Success) throw new ClException(function, status, target: target);
        }

        /// <summary>One clGet*Info call: (value size, value, size returned).</summary>
        internal unsafe delegate int InfoQuery(UIntPtr size, void* value, UIntPtr* sizeRet);

        /// <summary>The usual two calls of a clGet*Info: the size, then the value.</summary>
        internal static unsafe byte[] Query(InfoQuery query, string function)
        {
            UIntPtr size = UIntPtr.Zero;
            Check(query(UIntPtr.Zero, null, &size), function);
            var value = new byte[(int)(ulong)size];
            fixed (byte* v = value) Check(query(size, v, null), function);
            return value;
        }
    }
}
