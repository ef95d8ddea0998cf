using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;

namespace MaceTools.Build
{
    /// <summary>The cmdlets of a built module assembly, and the loaded assembly itself (for type lookups).</summary>
    internal sealed class ModuleMetadata
    {
        public ModuleMetadata(string assemblyPath, Assembly assembly, string? informationalVersion, List<CmdletInfo> cmdlets)
        {
            AssemblyPath = assemblyPath;
            Assembly = assembly;
            InformationalVersion = informationalVersion;
            Cmdlets = cmdlets;
        }

        public string AssemblyPath { get; }
        public Assembly Assembly { get; }
        public string? InformationalVersion { get; }
        /// <summary>Sorted by name.</summary>
        public List<CmdletInfo> Cmdlets { get; }

        public CmdletInfo? Cmdlet(string name) => Cmdlets.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>A type of the module or one of the assemblies beside it (MaceTools.Core), by full name.</summary>
        public Type? FindType(string fullName)
        {
            var t = Assembly.GetType(fullName);
            if (t != null) return t;
            foreach (var name in Assembly.GetReferencedAssemblies())
            {
                try
                {
                    t = AssemblyLoadContext.GetLoadContext(Assembly)!.LoadFromAssemblyName(name).GetType(fullName);
                    if (t != null) return t;
                }
                catch (FileNotFoundException) { }
            }
            return null;
        }
    }

    /// <summary>
    /// Reads cmdlet metadata from a built MaceTools.dll with <see cref="MemberInfo.GetCustomAttributesData"/> only:
    /// attribute instances of the PowerShellStandard stub engine read back empty (powershell-module.md §0).
    /// The assembly is loaded into its own load context, resolving MaceTools.* from its folder and everything the
    /// running framework (or this tool's own dependencies, the stub engine among them) already provides from there.
    /// </summary>
    internal static class MetadataReader
    {
        private const string Sma = "System.Management.Automation.";
        private static readonly ConcurrentDictionary<string, ModuleMetadata> Cache = new ConcurrentDictionary<string, ModuleMetadata>(StringComparer.Ordinal);

        public static ModuleMetadata Read(string assemblyPath)
        {
            string full = Path.GetFullPath(assemblyPath);
            if (!File.Exists(full)) throw new BuildException($"{full}: not found (build src/MaceTools first)");
            return Cache.GetOrAdd(full, Load);
        }

        private static ModuleMetadata Load(string path)
        {
            var context = new FolderLoadContext(Path.GetDirectoryName(path)!);
            var assembly = context.LoadFromAssemblyPath(path);
            Type[] types;
            try { types = assembly.GetTypes(); }
            catch (ReflectionTypeLoadException e)
            {
                throw new BuildException($"{path}: cannot load its types: {string.Join("; ", e.LoaderExceptions.Select(x => x?.Message).Distinct())}", e);
            }
            var cmdlets = new List<CmdletInfo>();
            foreach (var type in types.Where(IsCmdletClass))
            {
                var info = ReadCmdlet(type);
                if (info != null) cmdlets.Add(info);
            }
            cmdlets.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            string? version = assembly.GetCustomAttributesData()
                .FirstOrDefault(a => a.AttributeType.FullName == typeof(AssemblyInformationalVersionAttribute).FullName)?
                .ConstructorArguments[0].Value as string;
            return new ModuleMetadata(path, assembly, version, cmdlets);
        }

        /// <summary>What the engine's discovery requires apart from the attribute: public, not abstract, derived from Cmdlet.</summary>
        public static bool IsCmdletClass(Type type) => type.IsPublic && !type.IsAbstract && DerivesFromCmdlet(type);

        public static bool DerivesFromCmdlet(Type type)
        {
            for (var t = type.BaseType; t != null; t = t.BaseType)
                if (t.FullName == Sma + "Cmdlet") return true;
            return false;
        }

        public static bool HasPublicParameterlessConstructor(Type type) => type.GetConstructor(Type.EmptyTypes) != null;

        public static CustomAttributeData? Attribute(MemberInfo member, string name) =>
            member.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == Sma + name);

        /// <summary>Null when the class has no [Cmdlet] (the engine ignores it; the static tests flag it).</summary>
        public static CmdletInfo? ReadCmdlet(Type type)
        {
            var cmdlet = Attribute(type, "CmdletAttribute");
            if (cmdlet == null) return null;
            var info = new CmdletInfo((string)cmdlet.ConstructorArguments[0].Value!, (string)cmdlet.ConstructorArguments[1].Value!, type.FullName!);
            foreach (var named in cmdlet.NamedArguments)
            {
                switch (named.MemberName)
                {
                    case "DefaultParameterSetName": info.DefaultParameterSetName = (string?)named.TypedValue.Value; break;
                    case "SupportsShouldProcess": info.SupportsShouldProcess = (bool)named.TypedValue.Value!; break;
                    case "ConfirmImpact": info.ConfirmImpact = Enum.GetName(named.TypedValue.ArgumentType, named.TypedValue.Value!) ?? named.TypedValue.Value!.ToString()!; break;
                }
            }
            foreach (var output in type.GetCustomAttributesData().Where(a => a.AttributeType.FullName == Sma + "OutputTypeAttribute"))
                foreach (var arg in Values(output.ConstructorArguments[0]))
                    info.OutputTypes.Add(arg is Type t ? t.FullName! : (string)arg!);
            var alias = Attribute(type, "AliasAttribute");
            if (alias != null) info.Aliases.AddRange(Values(alias.ConstructorArguments[0]).Cast<string>());

            object? instance = TryCreate(type);
            var trueSwitches = SwitchDefaults.FieldsSetToTrue(type);
            var assigned = SwitchDefaults.FieldsAssigned(type);
            foreach (var member in ParameterMembers(type))
                info.Parameters.Add(ReadParameter(member, instance, trueSwitches, assigned));
            return info;
        }

        /// <summary>Properties and fields with [Parameter] of the class and its bases, base class first, each in declaration order.</summary>
        private static IEnumerable<MemberInfo> ParameterMembers(Type type)
        {
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var levels = new List<List<MemberInfo>>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var t = type; t != null && t.FullName != Sma + "PSCmdlet" && t.FullName != Sma + "Cmdlet"; t = t.BaseType)
            {
                var level = t.GetProperties(all).Cast<MemberInfo>().Concat(t.GetFields(all))
                    .Where(m => Attribute(m, "ParameterAttribute") != null && seen.Add(m.Name)) // an override in a derived class wins
                    .OrderBy(m => m.MetadataToken).ToList();
                levels.Add(level);
            }
            levels.Reverse();
            return levels.SelectMany(l => l);
        }

        private static ParameterInfo ReadParameter(MemberInfo member, object? instance, ISet<string> trueSwitches, ISet<string> assigned)
        {
            Type type = member is PropertyInfo pi ? pi.PropertyType : ((FieldInfo)member).FieldType;
            var p = new ParameterInfo(member.Name, type.ToString()) { DeclaringType = member.DeclaringType!.FullName! };
            if (member is PropertyInfo prop)
                p.HasPublicGetAndSet = prop.GetMethod?.IsPublic == true && prop.SetMethod?.IsPublic == true && !prop.GetMethod.IsStatic;
            else
                p.HasPublicGetAndSet = ((FieldInfo)member).IsPublic && !((FieldInfo)member).IsStatic;

            foreach (var attr in member.GetCustomAttributesData())
            {
                string? name = attr.AttributeType.FullName;
                if (name == Sma + "ParameterAttribute")
                {
                    var set = new ParameterSetInfo(Named<string>(attr, "ParameterSetName") ?? CmdletInfo.AllParameterSets)
                    {
                        Mandatory = Named<bool>(attr, "Mandatory"),
                        ValueFromPipeline = Named<bool>(attr, "ValueFromPipeline"),
                        ValueFromPipelineByPropertyName = Named<bool>(attr, "ValueFromPipelineByPropertyName"),
                        ValueFromRemainingArguments = Named<bool>(attr, "ValueFromRemainingArguments"),
                    };
                    if (attr.NamedArguments.Any(a => a.MemberName == "Position"))
                    {
                        int position = Named<int>(attr, "Position");
                        if (position != int.MinValue) set.Position = position;
                    }
                    if (Named<bool>(attr, "DontShow")) p.DontShow = true;
                    string? help = Named<string>(attr, "HelpMessage");
                    if (!string.IsNullOrEmpty(help)) p.HelpMessage = help!;
                    p.Sets.Add(set);
                }
                else if (name == Sma + "AliasAttribute") p.Aliases.AddRange(Values(attr.ConstructorArguments[0]).Cast<string>());
                else if (name == Sma + "SupportsWildcardsAttribute") p.SupportsWildcards = true;
                else if (name == Sma + "ValidateSetAttribute") p.ValidateSet = Values(attr.ConstructorArguments[0]).Cast<string>().ToList();
            }
            var psDefault = Attribute(member, "PSDefaultValueAttribute");
            // Parameter sets in a stable order: the order of declaration is what the engine keeps.
            var element = type.IsArray ? type.GetElementType()! : Nullable.GetUnderlyingType(type) ?? type;
            if (element.IsEnum) p.EnumValues = Enum.GetNames(element).ToList();
            p.DefaultValue = DefaultOf(member, type, instance, p.IsSwitch, trueSwitches, assigned.Contains(member.Name));
            // [PSDefaultValue(Value = ...)] is what Get-Help shows when present; it wins over the instance's value.
            foreach (var declared in psDefault?.NamedArguments ?? (IList<CustomAttributeNamedArgument>)Array.Empty<CustomAttributeNamedArgument>())
            {
                if (declared.MemberName != "Value" || declared.TypedValue.Value == null) continue;
                var v = declared.TypedValue;
                p.DefaultValue = v.ArgumentType.IsEnum ? Enum.GetName(v.ArgumentType, v.Value!) ?? v.Value!.ToString()!
                    : Convert.ToString(v.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "None";
            }
            return p;
        }

        /// <summary>
        /// The default help shows. A value type left at its default (an enum's first value, 0) reads as "None" unless a
        /// constructor assigns it explicitly: Get-MaceProgram's -Kind means "detect" when it is not given, while
        /// Export-MaceProgram's -Format = Cpp is a real default.
        /// </summary>
        private static string DefaultOf(MemberInfo member, Type type, object? instance, bool isSwitch, ISet<string> trueSwitches, bool assignedInConstructor)
        {
            if (isSwitch) return trueSwitches.Contains(member.Name) ? "True" : "False";
            if (instance == null) return "None";
            object? value;
            try
            {
                value = member is PropertyInfo p ? (p.GetMethod != null && !p.GetMethod.IsStatic ? p.GetValue(instance) : null) : ((FieldInfo)member).GetValue(instance);
            }
            catch (TargetInvocationException) { return "None"; }
            switch (value)
            {
                case null: return "None";
                case string s: return s.Length == 0 ? "None" : s;
                case Array a: return a.Length == 0 ? "None" : string.Join(", ", a.Cast<object>());
            }
            if (type.IsValueType && !assignedInConstructor && value.Equals(Activator.CreateInstance(type))) return "None";
            return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "None";
        }

        private static object? TryCreate(Type type)
        {
            try { return Activator.CreateInstance(type); }
            catch (Exception e) when (e is TargetInvocationException || e is MissingMethodException || e is MemberAccessException || e is TypeLoadException) { return null; }
        }

        private static T? Named<T>(CustomAttributeData attr, string name)
        {
            foreach (var a in attr.NamedArguments)
                if (a.MemberName == name) return (T?)a.TypedValue.Value;
            return default;
        }

        /// <summary>The elements of a params-array constructor argument (or the single value).</summary>
        public static IEnumerable<object?> Values(CustomAttributeTypedArgument arg)
        {
            if (arg.Value is ReadOnlyCollection<CustomAttributeTypedArgument> items) return items.Select(i => i.Value);
            if (arg.Value is IEnumerable e && !(arg.Value is string)) return e.Cast<object?>();
            return new[] { arg.Value };
        }

        /// <summary>
        /// Resolves MaceTools.* (and anything the framework does not provide) from the module folder; everything else,
        /// the stub System.Management.Automation included, comes from the default context, so netstandard facades
        /// such as System.Memory never shadow the framework's own types.
        /// </summary>
        private sealed class FolderLoadContext : AssemblyLoadContext
        {
            private readonly string _folder;

            public FolderLoadContext(string folder) : base("MaceTools.Build metadata: " + folder, isCollectible: false) { _folder = folder; }

            protected override Assembly? Load(AssemblyName name)
            {
                string local = Path.Combine(_folder, name.Name + ".dll");
                if (name.Name != null && name.Name.StartsWith("MaceTools", StringComparison.OrdinalIgnoreCase) && File.Exists(local))
                    return LoadFromAssemblyPath(local);
                try { return Default.LoadFromAssemblyName(name); }
                catch (FileNotFoundException) { }
                return File.Exists(local) ? LoadFromAssemblyPath(local) : null;
            }
        }
    }
}
