using System;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MaceTools.OpenCL
{
    /// <summary>
    /// Loads a native library by name or path and finds its exports. The module targets netstandard2.0, which has no
    /// NativeLibrary: on .NET Core 3+ (pwsh 7, the CLI) we call it through reflection; on .NET Framework (Windows
    /// PowerShell 5.1, Windows only) we use kernel32.
    /// </summary>
    internal static class NativeLibraryLoader
    {
        private static readonly Type? NativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary", throwOnError: false);
        private static readonly MethodInfo? TryLoadMethod = NativeLibrary?.GetMethod("TryLoad", new[] { typeof(string), typeof(IntPtr).MakeByRefType() });
        private static readonly MethodInfo? TryGetExportMethod = NativeLibrary?.GetMethod("TryGetExport", new[] { typeof(IntPtr), typeof(string), typeof(IntPtr).MakeByRefType() });

        public static bool TryLoad(string nameOrPath, out IntPtr handle)
        {
            handle = IntPtr.Zero;
            if (TryLoadMethod != null)
            {
                var args = new object[] { nameOrPath, IntPtr.Zero };
                bool ok = (bool)TryLoadMethod.Invoke(null, args)!;
                handle = (IntPtr)args[1];
                return ok;
            }
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                handle = LoadLibraryW(nameOrPath);
                return handle != IntPtr.Zero;
            }
            return false;
        }

        public static IntPtr GetExport(IntPtr handle, string name)
        {
            if (TryGetExportMethod != null)
            {
                var args = new object[] { handle, name, IntPtr.Zero };
                return (bool)TryGetExportMethod.Invoke(null, args)! ? (IntPtr)args[2] : IntPtr.Zero;
            }
            return GetProcAddress(handle, name);
        }

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr LoadLibraryW(string path);

        [DllImport("kernel32", CharSet = CharSet.Ansi, ExactSpelling = true)]
        private static extern IntPtr GetProcAddress(IntPtr module, string name);
    }
}
