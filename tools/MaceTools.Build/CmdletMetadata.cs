using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools.Build
{
    /// <summary>What the engine will see of one cmdlet class, read from attribute metadata (never attribute instances).</summary>
    internal sealed class CmdletInfo
    {
        public const string AllParameterSets = "__AllParameterSets";

        public CmdletInfo(string verb, string noun, string className)
        {
            Verb = verb;
            Noun = noun;
            ClassName = className;
        }

        public string Verb { get; }
        public string Noun { get; }
        public string Name => Verb + "-" + Noun;
        /// <summary>The full name of the class (e.g. MaceTools.Commands.GetMaceProgramCommand).</summary>
        public string ClassName { get; }
        public string? DefaultParameterSetName { get; set; }
        public bool SupportsShouldProcess { get; set; }
        /// <summary>The ConfirmImpact name (None, Low, Medium, High); Medium when not declared, as in the engine.</summary>
        public string ConfirmImpact { get; set; } = "Medium";
        /// <summary>Full names of the [OutputType] types, in declaration order.</summary>
        public List<string> OutputTypes { get; } = new List<string>();
        /// <summary>Names from a class-level [Alias] (command aliases).</summary>
        public List<string> Aliases { get; } = new List<string>();
        /// <summary>The declared parameters (not the common ones), in declaration order, base class first.</summary>
        public List<ParameterInfo> Parameters { get; } = new List<ParameterInfo>();

        /// <summary>
        /// The parameter sets as the engine forms them: every named set, or __AllParameterSets when no parameter names one.
        /// The default set comes first, the rest in order of appearance.
        /// </summary>
        public IReadOnlyList<string> ParameterSetNames
        {
            get
            {
                var named = new List<string>();
                foreach (var p in Parameters)
                    foreach (var s in p.Sets)
                        if (s.Name != AllParameterSets && !named.Contains(s.Name)) named.Add(s.Name);
                if (named.Count == 0) return new[] { AllParameterSets };
                if (DefaultParameterSetName != null && named.Remove(DefaultParameterSetName)) named.Insert(0, DefaultParameterSetName);
                return named;
            }
        }

        /// <summary>The parameters that take part in a set (members of it or of __AllParameterSets), with their attributes for that set.</summary>
        public IEnumerable<(ParameterInfo Parameter, ParameterSetInfo Set)> ParametersIn(string setName)
        {
            foreach (var p in Parameters)
            {
                var own = p.Sets.FirstOrDefault(s => s.Name == setName) ?? p.Sets.FirstOrDefault(s => s.Name == AllParameterSets);
                if (own != null) yield return (p, own);
            }
        }

        public ParameterInfo? Parameter(string name) => Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

        public override string ToString() => Name;
    }

    /// <summary>One [Parameter] property.</summary>
    internal sealed class ParameterInfo
    {
        public ParameterInfo(string name, string typeName)
        {
            Name = name;
            TypeName = typeName;
        }

        public string Name { get; }
        /// <summary>The full type name as Type.ToString() writes it (System.String[], MaceTools.MaceFileKind).</summary>
        public string TypeName { get; }
        public bool IsSwitch => TypeName == "System.Management.Automation.SwitchParameter";
        public bool IsArray => TypeName.EndsWith("[]", StringComparison.Ordinal);
        /// <summary>The type name without namespace, as Get-Help shows it (String[], MaceFileKind).</summary>
        public string ShortTypeName
        {
            get
            {
                string t = TypeName;
                const string nullable = "System.Nullable`1[";
                if (t.StartsWith(nullable, StringComparison.Ordinal) && t.EndsWith("]", StringComparison.Ordinal)) t = t.Substring(nullable.Length, t.Length - nullable.Length - 1);
                int generic = t.IndexOf('`');
                string head = generic >= 0 ? t.Substring(0, generic) : t;
                int dot = head.LastIndexOf('.');
                return dot >= 0 ? t.Substring(dot + 1) : t;
            }
        }
        /// <summary>The name of the declaring class (a base class for inherited parameters).</summary>
        public string DeclaringType { get; set; } = "";
        public List<ParameterSetInfo> Sets { get; } = new List<ParameterSetInfo>();
        public List<string> Aliases { get; } = new List<string>();
        public bool SupportsWildcards { get; set; }
        public bool DontShow { get; set; }
        public string HelpMessage { get; set; } = "";
        /// <summary>[ValidateSet] values, or null when the parameter has none.</summary>
        public List<string>? ValidateSet { get; set; }
        /// <summary>The names of the enum when the type is an enum (or an array or nullable of one).</summary>
        public List<string>? EnumValues { get; set; }
        /// <summary>What help shows as accepted values: the ValidateSet, else the enum names (as platyPS does).</summary>
        public IReadOnlyList<string> AcceptedValues => ValidateSet ?? EnumValues ?? (IReadOnlyList<string>)Array.Empty<string>();
        /// <summary>The value a fresh cmdlet instance holds when it differs from the type's default; "None" otherwise ("False" for switches).</summary>
        public string DefaultValue { get; set; } = "None";
        /// <summary>True when the property is public with a public getter and setter (the engine needs both).</summary>
        public bool HasPublicGetAndSet { get; set; } = true;

        public override string ToString() => Name;
    }

    /// <summary>The [Parameter] arguments for one set.</summary>
    internal sealed class ParameterSetInfo
    {
        public ParameterSetInfo(string name) { Name = name; }

        public string Name { get; }
        public bool Mandatory { get; set; }
        /// <summary>The 0-based position, or null when the parameter is named only.</summary>
        public int? Position { get; set; }
        public bool ValueFromPipeline { get; set; }
        public bool ValueFromPipelineByPropertyName { get; set; }
        public bool ValueFromRemainingArguments { get; set; }

        /// <summary>MAML / platyPS 0.14 wording: False, True (ByValue), True (ByPropertyName), True (ByValue, ByPropertyName).</summary>
        public string PipelineInput => (ValueFromPipeline, ValueFromPipelineByPropertyName) switch
        {
            (true, true) => "True (ByValue, ByPropertyName)",
            (true, false) => "True (ByValue)",
            (false, true) => "True (ByPropertyName)",
            _ => "False",
        };
    }
}
