using System.Text;

namespace MaceTools.Formats
{
    /// <summary>
    /// MACE's <c>ObfuscateSymbol</c> (string_util.cc@v1.1.1:104-131), bug included: upper-case letters use
    /// <c>c - 'a'</c>, so they alias onto digits and lower-case letters. The inverse is therefore unique only among
    /// names without upper-case letters, which is what MACE's kernel names and tuning keys are.
    /// </summary>
    public static class SymbolObfuscation
    {
        private const string Dict = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";

        public static string Obfuscate(string name)
        {
            if (name.Length == 0) return name;
            var sb = new StringBuilder(name.Length);
            sb.Append(name[0]);
            for (int i = 1; i < name.Length; i++)
            {
                int idx = Index(name[i]);
                sb.Append(idx < 0 ? name[i] : Dict[(idx + i + 31) % 63]);
            }
            return sb.ToString();
        }

        /// <summary>The name without upper-case letters whose obfuscation is <paramref name="obfuscated"/>, or null if none exists.</summary>
        public static string? Deobfuscate(string obfuscated)
        {
            if (obfuscated.Length == 0) return obfuscated;
            var sb = new StringBuilder(obfuscated.Length);
            sb.Append(obfuscated[0]);
            for (int i = 1; i < obfuscated.Length; i++)
            {
                char c = obfuscated[i];
                int pos = Dict.IndexOf(c);
                if (pos < 0) { sb.Append(c); continue; }
                int idx = ((pos - i - 31) % 63 + 63) % 63;
                sb.Append(FromIndex(idx));
            }
            return sb.ToString();
        }

        private static int Index(char c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'z') return 10 + c - 'a';
            if (c >= 'A' && c <= 'Z') return 10 + 26 + c - 'a'; // MACE's bug, kept: 4..29
            if (c == '_') return 62;
            return -1;
        }

        /// <summary>Index 0-9 digits, 10-35 lower case, 62 '_'; 36-61 are reached by no character at all.</summary>
        private static char FromIndex(int idx)
        {
            if (idx < 10) return (char)('0' + idx);
            if (idx < 36) return (char)('a' + idx - 10);
            if (idx == 62) return '_';
            return '\uFFFD';
        }

        /// <summary>True when <paramref name="obfuscated"/> has a preimage without upper-case letters.</summary>
        public static bool HasPlainPreimage(string obfuscated) => Deobfuscate(obfuscated)?.IndexOf('\uFFFD') < 0;
    }
}
