using System;

namespace MaceTools.Build
{
    /// <summary>A build failure with a message meant for the person running the build (no stack trace needed).</summary>
    internal sealed class BuildException : Exception
    {
        public BuildException(string message) : base(message) { }
        public BuildException(string message, Exception inner) : base(message, inner) { }
    }
}
