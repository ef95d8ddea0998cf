using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools.Formats
{
    /// <summary>
    /// MACE's <c>built_program_key</c> (opencl_executor.cc@v1.1.1:858-886): the program name, then " " + option for each
    /// option of a sorted, de-duplicated set. An empty option sorts first and yields the double space.
    /// </summary>
    public sealed class ProgramKey
    {
        /// <summary>Flags MACE appends to every build; they are not part of the key.</summary>
        public const string BuildFlags = " -Werror -cl-mad-enable -cl-fast-relaxed-math";

        private ProgramKey(string program, IReadOnlyList<string> options)
        {
            Program = program;
            Options = options;
        }

        public string Program { get; }
        /// <summary>Options in key order, the empty option included where MACE inserted one.</summary>
        public IReadOnlyList<string> Options { get; }

        /// <summary>The kernel name from a <c>-D&lt;kernel&gt;=&lt;symbol&gt;</c> define, with whether the symbol is obfuscated.</summary>
        public KernelDefine? Kernel
        {
            get
            {
                foreach (var o in Options)
                {
                    var d = KernelDefine.TryParse(o);
                    if (d != null) return d;
                }
                return null;
            }
        }

        public static ProgramKey Parse(string key)
        {
            int space = key.IndexOf(' ');
            if (space < 0) return new ProgramKey(key, Array.Empty<string>());
            return new ProgramKey(key.Substring(0, space), key.Substring(space + 1).Split(' '));
        }

        /// <summary>Builds the key exactly as MACE does (std::set ordering is byte-wise ordinal).</summary>
        public static string Build(string program, IEnumerable<string> options)
        {
            var set = new SortedSet<string>(options, StringComparer.Ordinal);
            return program + string.Concat(set.Select(o => " " + o));
        }

        /// <summary>The options handed to clBuildProgram for this key.</summary>
        public static string CompilerFlags(string key)
        {
            int space = key.IndexOf(' ');
            return (space < 0 ? "" : key.Substring(space)) + BuildFlags;
        }
    }

    /// <summary>A <c>-D&lt;kernel&gt;=&lt;symbol&gt;</c> option: MACE defines each kernel name to its (obfuscated) symbol.</summary>
    public sealed class KernelDefine
    {
        public KernelDefine(string name, string symbol)
        {
            Name = name;
            Symbol = symbol;
        }

        public string Name { get; }
        public string Symbol { get; }
        public bool Obfuscated => Symbol != Name;

        public static KernelDefine? TryParse(string option)
        {
            if (!option.StartsWith("-D", StringComparison.Ordinal)) return null;
            int eq = option.IndexOf('=');
            if (eq < 3) return null;
            string name = option.Substring(2, eq - 2), symbol = option.Substring(eq + 1);
            // Kernel names are lower-case identifiers; MACE's other defines (DATA_TYPE, BIAS ...) are upper case.
            if (!char.IsLower(name[0]) || !name.All(c => char.IsLower(c) || char.IsDigit(c) || c == '_')) return null;
            if (symbol != name && SymbolObfuscation.Obfuscate(name) != symbol) return null;
            return new KernelDefine(name, symbol);
        }
    }
}
