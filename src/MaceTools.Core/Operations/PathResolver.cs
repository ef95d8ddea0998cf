using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using MaceTools.Formats;

namespace MaceTools.Operations
{
    /// <summary>Resolves user paths, with PowerShell-style wildcards (* ? [abc]) unless the path is literal.</summary>
    public static class PathResolver
    {
        /// <summary>A user path, taken relative to <paramref name="baseDirectory"/> unless it is rooted.</summary>
        public static string FullPath(string path, string baseDirectory) => Path.IsPathRooted(path) ? path : Path.Combine(baseDirectory, path);

        public static bool HasWildcards(string path) => path.IndexOfAny(new[] { '*', '?', '[' }) >= 0;

        /// <summary>A directory given where a file is expected: one message and one exit code (2) for this mistake everywhere.</summary>
        public static MaceException IsADirectory(string path) => InputGate.NotRegular(path, "a directory");

        /// <summary>Files matching <paramref name="path"/>; a wildcard that matches nothing is an error naming the pattern.</summary>
        public static IReadOnlyList<string> Resolve(string path, string baseDirectory, bool literal)
        {
            string full = FullPath(path, baseDirectory);
            // A path piped by property name (e.g. MaceProgram.Path) may hold [ ] literally: the existing file wins.
            if (literal || !HasWildcards(path) || File.Exists(full))
            {
                if (Directory.Exists(full)) throw IsADirectory(path);
                if (!File.Exists(full))
                    throw new MaceException(ErrorIds.FileNotFound, MaceErrorCategory.ObjectNotFound, $"{path}: file not found", path);
                return new[] { Path.GetFullPath(full) };
            }
            var matches = Expand(Path.GetFullPath(full)).Where(File.Exists).OrderBy(p => p, StringComparer.Ordinal).ToList();
            if (matches.Count == 0)
                throw new MaceException(ErrorIds.FileNotFound, MaceErrorCategory.ObjectNotFound, $"{path}: no file matches", path);
            return matches;
        }

        private static IEnumerable<string> Expand(string full)
        {
            string root = Path.GetPathRoot(full) ?? "/";
            var parts = full.Substring(root.Length).Split(new[] { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar }, StringSplitOptions.RemoveEmptyEntries);
            IEnumerable<string> current = new[] { root };
            for (int i = 0; i < parts.Length; i++)
            {
                string part = parts[i];
                bool last = i == parts.Length - 1;
                if (!HasWildcards(part)) { current = current.Select(c => Path.Combine(c, part)); continue; }
                var re = ToRegex(part);
                current = current.Where(Directory.Exists).SelectMany(c =>
                    (last ? Directory.EnumerateFileSystemEntries(c) : Directory.EnumerateDirectories(c))
                        .Where(e => re.IsMatch(Path.GetFileName(e))));
            }
            return current;
        }

        /// <summary>PowerShell wildcard semantics: * any run, ? one character, [abc] / [a-z] a set; case-insensitive.</summary>
        public static Regex ToRegex(string pattern)
        {
            var sb = new System.Text.StringBuilder("^");
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '*') sb.Append(".*");
                else if (c == '?') sb.Append('.');
                else if (c == '[')
                {
                    int close = pattern.IndexOf(']', i + 1);
                    if (close < 0) { sb.Append(@"\["); continue; }
                    sb.Append('[').Append(pattern.Substring(i + 1, close - i - 1).Replace(@"\", @"\\")).Append(']');
                    i = close;
                }
                else sb.Append(Regex.Escape(c.ToString()));
            }
            try { return new Regex(sb.Append('$').ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant); }
            catch (ArgumentException e) // a set the regex engine refuses, such as [z-a]: the user's pattern, so bad input
            {
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, $"'{pattern}': not a valid wildcard pattern: {e.Message}", pattern, e);
            }
        }
    }
}
