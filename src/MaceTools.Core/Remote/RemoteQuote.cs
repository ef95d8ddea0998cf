using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools.Remote
{
    /// <summary>
    /// The one way a remote command line is built. adb and ssh both hand a single string to the device's /bin/sh,
    /// so every argument is quoted for POSIX sh here and nowhere else.
    /// </summary>
    public static class RemoteQuote
    {
        /// <summary>
        /// One argument for POSIX sh: wrapped in single quotes, each ' written as '\''. Inside single quotes sh
        /// expands nothing ($, `, \, newlines and globs stay literal), so this is safe for every string but one with NUL,
        /// which no C argument can hold and is refused.
        /// </summary>
        public static string Sh(string s)
        {
            if (s == null) throw new ArgumentNullException(nameof(s));
            if (s.IndexOf('\0') >= 0)
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, "A remote argument cannot contain a NUL character.", s);
            return "'" + s.Replace("'", "'\\''") + "'";
        }

        /// <summary>A command line for POSIX sh: each argument quoted by <see cref="Sh"/>, joined by spaces.</summary>
        public static string Command(IEnumerable<string> argv)
        {
            if (argv == null) throw new ArgumentNullException(nameof(argv));
            var quoted = argv.Select(Sh).ToList();
            if (quoted.Count == 0)
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, "A remote command needs at least one argument.");
            return string.Join(" ", quoted);
        }
    }
}
