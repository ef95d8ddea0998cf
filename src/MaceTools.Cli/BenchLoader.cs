using System;
using System.CommandLine;
using System.IO;
using System.Reflection;

namespace MaceTools.Cli
{
    /// <summary>
    /// `bench` and `fuzz` live in MaceTools.Bench.dll (bench/MaceTools.Bench), which out/cli carries and the module's worker
    /// copy of the CLI does not. Where it is absent the verbs say so at once (exit 2).
    /// </summary>
    internal static class BenchLoader
    {
        public const string AssemblyName = "MaceTools.Bench";

        public static readonly string[] Verbs = { "bench", "fuzz" };

        /// <summary>
        /// The bench and fuzz verbs: loaded from MaceTools.Bench.dll only when the command line is one of them, so every
        /// other start (a driver worker per build thread, the agent) pays nothing for them; otherwise a placeholder per verb
        /// stands in `macetools --help`.
        /// </summary>
        public static void Add(RootCommand root, CommandContext ctx, string[] args)
        {
            if (args.Length == 0 || Array.IndexOf(Verbs, args[0]) < 0)
            {
                foreach (var verb in Verbs)
                    root.Subcommands.Add(new Command(verb, verb == "bench" ? "Benchmarks that print figures." : "Mutation fuzzing of the parsers."));
                return;
            }
            string path = Path.Combine(AppContext.BaseDirectory, AssemblyName + ".dll");
            var bench = Load(path);
            if (bench != null)
            {
                bench.GetType("MaceTools.Bench.BenchCommands", throwOnError: true)!
                    .GetMethod("Register", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)!
                    .Invoke(null, new object[] { root, ctx });
                return;
            }
            foreach (var verb in Verbs)
            {
                var missing = new Command(verb, $"Not in this build: {AssemblyName}.dll is not beside macetools.") { TreatUnmatchedTokensAsErrors = false };
                missing.SetAction(_ =>
                {
                    ctx.Report(new MaceException(ErrorIds.Unsupported, MaceErrorCategory.InvalidArgument,
                        $"'{verb}' is not in this build: {path} does not exist (out/cli of './build.sh' carries it; the module's worker does not)", verb));
                    return ExitCodes.BadInput;
                });
                root.Subcommands.Add(missing);
            }
        }

        private static Assembly? Load(string path)
        {
            // Where the host already knows it (the tests reference it), that copy; else the file beside the CLI.
            try { return Assembly.Load(new AssemblyName(AssemblyName)); }
            catch (FileNotFoundException) { }
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }
    }
}
