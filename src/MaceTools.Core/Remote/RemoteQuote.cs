using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace MaceTools.Remote
{
    /// <summary>
    /// The one place where a remote command line is made. ssh joins its arguments with spaces and hands the result to the
    /// device's login shell (<c>$SHELL -c</c>), so every word must be quoted for a POSIX shell; adb shell does the same with
    /// Android's mksh. Every remote command of MaceTools goes through <see cref="Command(IEnumerable{string})"/>.
    /// </summary>
    /// <remarks>
    /// <para>Every word is wrapped in single quotes, inside which a POSIX shell expands nothing (no <c>$</c>, no backquote,
    /// no backslash, no glob); a single quote inside the word becomes <c>'\''</c> (close, escaped quote, reopen). Newlines
    /// are literal inside single quotes. NUL cannot be carried by any shell word (C strings end there), so it is refused.</para>
    /// <para>Paths that start with '-': quoting does not stop a command from reading such a word as an option, so the file
    /// commands of <see cref="SshClient"/> always put <c>--</c> before their path operands (POSIX utility guideline 10,
    /// honoured by GNU coreutils, busybox and toybox). Paths in a device inventory must be absolute, so they never start
    /// with '-'. Commands that do not take <c>--</c> (echo) should get such data as a <c>printf %s</c> argument instead.</para>
    /// <para>The device's login shell must be a POSIX shell (sh, bash, dash, ash, mksh, zsh); csh and fish quote otherwise.</para>
    /// </remarks>
    public static class RemoteQuote
    {
        /// <summary>One word quoted for a POSIX shell: <c>'it'\''s'</c>; the empty string is <c>''</c>.</summary>
        public static string Sh(string word)
        {
            if (word == null) throw new ArgumentNullException(nameof(word));
            if (word.IndexOf('\0') >= 0)
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument,
                    $"a remote argument cannot hold a NUL character (a shell word ends there): '{word.Replace("\0", "\\0")}'", word);
            return "'" + word.Replace("'", "'\\''") + "'";
        }

        /// <summary>A command line of quoted words joined by spaces; <paramref name="argv"/>[0] is the program.</summary>
        public static string Command(IEnumerable<string> argv)
        {
            var words = argv.ToList();
            if (words.Count == 0)
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, "a remote command needs at least the program name", null);
            return string.Join(" ", words.Select(Sh));
        }

        /// <summary>A command line; see <see cref="Command(IEnumerable{string})"/>.</summary>
        public static string Command(params string[] argv) => Command((IEnumerable<string>)argv);

        /// <summary>
        /// <c>argv &gt; path</c>: the command with its standard output sent to a file (the path is quoted like any word;
        /// a redirection target is never read as an option, so a leading '-' is harmless here).
        /// </summary>
        public static string CommandToFile(IEnumerable<string> argv, string path) => Command(argv) + " > " + Sh(path);

        /// <summary><c>argv &lt; path</c>: the command reading a file as its standard input (no file name on its command line at all).</summary>
        public static string CommandFromFile(IEnumerable<string> argv, string path) => Command(argv) + " < " + Sh(path);

        /// <summary>
        /// A value for an ssh <c>-o Key=value</c> option or an <c>-i</c> file: ssh splits option lines on spaces unless
        /// double-quoted, and expands <c>%</c> tokens in file options (so <c>%</c> is doubled). <c>${</c> would be read as an
        /// environment variable by ssh and has no escape, so it is refused.
        /// </summary>
        public static string SshOptionValue(string value)
        {
            if (value.IndexOf("${", StringComparison.Ordinal) >= 0 || value.IndexOf('\0') >= 0 || value.IndexOf('\n') >= 0)
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument,
                    $"'{value}': ssh cannot take this as a file name (it holds '${{', a newline or NUL)", value);
            var sb = new StringBuilder("\"");
            foreach (char c in value)
            {
                if (c == '"' || c == '\\') sb.Append('\\');
                sb.Append(c == '%' ? "%%" : c.ToString());
            }
            return sb.Append('"').ToString();
        }
    }
}
