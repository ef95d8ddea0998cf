using System.IO;

namespace MaceTools.Tests.Cli
{
    /// <summary>Runs the command line in-process and captures its exit code, stdout and stderr.</summary>
    internal static class CliRunner
    {
        public static (int Code, string Out, string Err) Run(string? cwd, params string[] args)
        {
            var o = new StringWriter();
            var e = new StringWriter();
            int code = MaceTools.Cli.Program.Run(args, o, e, cwd);
            return (code, o.ToString(), e.ToString());
        }
    }
}
