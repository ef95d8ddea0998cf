using System.Linq;

namespace MaceTools.Tests.Adb
{
    /// <summary>Strings that a shell would act on if they reached it unquoted; each tries to leave a file called PWNED.</summary>
    public static class HostileStrings
    {
        /// <summary>File names (no '/'): spaces, quotes, ;, $(), backticks, newlines, leading -, globs, backslashes.</summary>
        public static readonly string[] Names =
        {
            "with space",
            "it's",
            "double\"quote",
            "semi;touch PWNED",
            "$(touch PWNED)",
            "`touch PWNED`",
            "new\nline;touch PWNED",
            "-rf",
            "--help",
            "glob*?[a]",
            "back\\slash\\",
            "$HOME&&touch PWNED",
            "pipe|touch PWNED",
            ">PWNED",
            "tab\tand ünïcödé",
        };

        /// <summary>Arguments (not file names: they hold '/') that aim at absolute paths and at the quoting itself.</summary>
        public static readonly string[] Arguments = Names.Concat(new[]
        {
            "'$(touch /data/local/tmp/PWNED)'",
            "'\\''; touch /PWNED; echo '",
            "\"; touch /PWNED; echo \"",
            "\\'; touch /PWNED #",
        }).ToArray();
    }
}
