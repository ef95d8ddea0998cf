namespace MaceTools.Remote
{
    /// <summary>What a command run with <c>adb shell</c> returned: its exit code (shell protocol v2 carries it) and its two streams.</summary>
    public sealed class AdbShellResult
    {
        public AdbShellResult(int exitCode, string standardOutput, string standardError)
        {
            ExitCode = exitCode;
            StandardOutput = standardOutput;
            StandardError = standardError;
        }

        public int ExitCode { get; }
        public string StandardOutput { get; }
        /// <summary>Empty on devices without shell protocol v2, whose adbd mixes stderr into stdout.</summary>
        public string StandardError { get; }
        public bool Succeeded => ExitCode == 0;
    }
}
