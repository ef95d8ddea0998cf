using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;
using MaceTools.Operations;

namespace MaceTools.Tests.Module
{
    /// <summary>
    /// The module's dependency isolation: the pure decision (DependencyResolution.IsOurs) and a smoke test of the real
    /// ModuleInitializer from out/MaceTools, which must load Dependencies/*.dll into its own load context.
    /// What pwsh itself does on import (and Windows PowerShell's LoadFrom path) only the Pester suite can show.
    /// </summary>
    public class ResolverTests
    {
        private static readonly Dictionary<string, string> Deps = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["YamlDotNet"] = "/m/Dependencies/YamlDotNet.dll",
            ["System.Memory"] = "/m/Dependencies/System.Memory.dll",
        };

        [Theory]
        [InlineData("MaceTools")]
        [InlineData("MaceTools.Core")]
        [InlineData("maceTools.core")]
        [InlineData("System.Memory")] // a dependency asking for another dependency
        public void Static_IsOurs_ServesOurAssembliesAndOurDependencies(string requesting)
        {
            Assert.True(DependencyResolution.IsOurs(new AssemblyName("YamlDotNet, Version=16.0.0.0"), requesting, Deps, out string? path));
            Assert.Equal("/m/Dependencies/YamlDotNet.dll", path);
        }

        [Fact]
        public void Static_IsOurs_ServesARequestWithoutARequestingAssembly()
        {
            Assert.True(DependencyResolution.IsOurs(new AssemblyName("yamldotnet"), null, Deps, out string? path));
            Assert.Equal("/m/Dependencies/YamlDotNet.dll", path);
        }

        [Theory]
        [InlineData("SomeOtherModule")]
        [InlineData("powershell-yaml")]
        [InlineData("System.Management.Automation")]
        public void Static_IsOurs_LeavesOtherModulesRequestsAlone(string requesting)
        {
            Assert.False(DependencyResolution.IsOurs(new AssemblyName("YamlDotNet"), requesting, Deps, out string? path));
            Assert.Null(path);
        }

        [Fact]
        public void Static_IsOurs_IgnoresAssembliesWeDoNotShip()
        {
            Assert.False(DependencyResolution.IsOurs(new AssemblyName("Newtonsoft.Json"), "MaceTools", Deps, out string? path));
            Assert.Null(path);
            Assert.False(DependencyResolution.IsOurs(new AssemblyName(), "MaceTools", Deps, out _));
        }

        [Fact]
        public void Runtime_ModuleInitializerLoadsDependenciesIntoAPrivateLoadContext()
        {
            using var module = TempModule.Create();
            var yaml = typeof(YamlDotNet.Serialization.Deserializer).Assembly.GetName();
            var loaded = module.Resolve(yaml.FullName, module.Assembly);
            Assert.NotNull(loaded);
            var context = AssemblyLoadContext.GetLoadContext(loaded!);
            Assert.NotSame(AssemblyLoadContext.Default, context);
            Assert.Equal("MaceTools-dependencies", context!.Name);
            Assert.Equal(Path.Combine(module.Folder, "Dependencies", "YamlDotNet.dll"), loaded!.Location);
            // The test's own YamlDotNet (default context) is a different assembly instance: no type identity shared.
            Assert.NotSame(typeof(YamlDotNet.Serialization.Deserializer).Assembly, loaded);
        }

        [Fact]
        public void Runtime_ModuleInitializerIgnoresRequestsOfOtherAssemblies()
        {
            using var module = TempModule.Create();
            var yaml = typeof(YamlDotNet.Serialization.Deserializer).Assembly.GetName();
            Assert.Null(module.Resolve(yaml.FullName, typeof(FactAttribute).Assembly));
            Assert.Null(module.Resolve("Not.Shipped, Version=1.0.0.0", module.Assembly));
        }

        [Fact]
        public void Runtime_ModuleInitializerSubscribesAndUnsubscribes()
        {
            using var module = TempModule.Create();
            var type = module.Assembly.GetType("MaceTools.Commands.ModuleInitializer", throwOnError: true)!;
            object initializer = Activator.CreateInstance(type)!;
            type.GetMethod("OnImport")!.Invoke(initializer, null);
            type.GetMethod("OnRemove")!.Invoke(initializer, new object?[] { null });
        }

        /// <summary>A copy of out/MaceTools/{MaceTools,MaceTools.Core}.dll with YamlDotNet in Dependencies/, loaded in its own context.</summary>
        private sealed class TempModule : IDisposable
        {
            private TempModule(string folder, Assembly assembly)
            {
                Folder = folder;
                Assembly = assembly;
            }

            public string Folder { get; }
            public Assembly Assembly { get; }

            public static TempModule Create()
            {
                string folder = Path.Combine(Path.GetTempPath(), "macetools-alc-" + Guid.NewGuid().ToString("N").Substring(0, 8));
                Directory.CreateDirectory(Path.Combine(folder, "Dependencies"));
                foreach (var dll in new[] { "MaceTools.dll", "MaceTools.Core.dll" })
                    File.Copy(ModuleFolder.File_(dll), Path.Combine(folder, dll));
                File.Copy(typeof(YamlDotNet.Serialization.Deserializer).Assembly.Location, Path.Combine(folder, "Dependencies", "YamlDotNet.dll"));
                var context = new ModuleContext(folder);
                return new TempModule(folder, context.LoadFromAssemblyPath(Path.Combine(folder, "MaceTools.dll")));
            }

            /// <summary>Calls the initializer's AssemblyResolve handler as the runtime would.</summary>
            public Assembly? Resolve(string name, Assembly requesting)
            {
                var type = Assembly.GetType("MaceTools.Commands.ModuleInitializer", throwOnError: true)!;
                var handler = type.GetMethod("Resolve", BindingFlags.NonPublic | BindingFlags.Static)
                    ?? throw new InvalidOperationException("ModuleInitializer has no static Resolve(object, ResolveEventArgs) handler");
                return (Assembly?)handler.Invoke(null, new object?[] { null, new ResolveEventArgs(name, requesting) });
            }

            public void Dispose()
            {
                try { Directory.Delete(Folder, recursive: true); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }

            private sealed class ModuleContext : AssemblyLoadContext
            {
                private readonly string _folder;
                public ModuleContext(string folder) : base("test-module-" + Path.GetFileName(folder)) { _folder = folder; }

                protected override Assembly? Load(AssemblyName name)
                {
                    string local = Path.Combine(_folder, name.Name + ".dll");
                    return name.Name != null && name.Name.StartsWith("MaceTools", StringComparison.Ordinal) && File.Exists(local) ? LoadFromAssemblyPath(local) : null;
                }
            }
        }
    }
}
