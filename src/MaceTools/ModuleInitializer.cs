using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using MaceTools.Operations;

namespace MaceTools.Commands
{
    /// <summary>
    /// Loads third-party assemblies from the module's Dependencies/ folder (PSResourceGet's ModuleInitAndCleanup pattern):
    /// on pwsh 7 into a private AssemblyLoadContext created by reflection, on Windows PowerShell 5.1 with LoadFrom,
    /// so another module's copy of the same library never breaks ours.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string DependencyDirectory =
            Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".", "Dependencies");
        private static readonly Dictionary<string, string> Dependencies = ScanDependencies();
        private static readonly object? LoadContext = CreateLoadContext();

        public void OnImport() => AppDomain.CurrentDomain.AssemblyResolve += Resolve;

        public void OnRemove(PSModuleInfo module) => AppDomain.CurrentDomain.AssemblyResolve -= Resolve;

        private static Assembly? Resolve(object? sender, ResolveEventArgs args)
        {
            var requested = new AssemblyName(args.Name);
            if (!DependencyResolution.IsOurs(requested, args.RequestingAssembly?.GetName().Name, Dependencies, out string? path)) return null;
            if (LoadContext == null) return Assembly.LoadFrom(path!);
            var load = LoadContext.GetType().GetMethod("LoadFromAssemblyPath", new[] { typeof(string) });
            return (Assembly?)load?.Invoke(LoadContext, new object[] { path! });
        }

        private static Dictionary<string, string> ScanDependencies()
        {
            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (!Directory.Exists(DependencyDirectory)) return map;
            foreach (var dll in Directory.GetFiles(DependencyDirectory, "*.dll"))
            {
                try { map[AssemblyName.GetAssemblyName(dll).Name!] = dll; }
                catch (BadImageFormatException) { }
            }
            return map;
        }

        /// <summary>new AssemblyLoadContext("MaceTools", false) where the type exists (.NET Core); null on .NET Framework.</summary>
        private static object? CreateLoadContext()
        {
            var alc = typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext");
            var ctor = alc?.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, new[] { typeof(string), typeof(bool) }, null);
            return ctor?.Invoke(new object[] { "MaceTools-dependencies", false });
        }
    }
}
