using System.Threading;

namespace MaceTools.Operations
{
    /// <summary>
    /// What an operation may do to the outside world. The cmdlets and the CLI implement it; tests record it.
    /// Calls arrive on the thread that runs the operation.
    /// </summary>
    public interface IOperationHost
    {
        void WriteObject(object item);
        /// <summary>A failure of one item; the operation goes on with the next.</summary>
        void WriteError(MaceException error);
        void WriteWarning(string message);
        void WriteVerbose(string message);
        /// <summary>Detail for whoever debugs a run (-Debug, --debug): which inventory, which files, which build options.</summary>
        void WriteDebug(string message);
        void WriteProgress(OperationProgress progress);
        /// <summary>Asks before a change of state; false means skip it (-WhatIf, a "no" to -Confirm).</summary>
        bool ShouldProcess(string target, string action);
        CancellationToken CancellationToken { get; }
        /// <summary>The directory relative paths are resolved against (PowerShell's current location, the process's cwd).</summary>
        string CurrentDirectory { get; }
    }

    /// <summary>A progress report; <see cref="PercentComplete"/> is -1 when unknown.</summary>
    public sealed class OperationProgress
    {
        public OperationProgress(int activityId, string activity, string status, int percentComplete = -1, int parentActivityId = -1, bool completed = false)
        {
            ActivityId = activityId;
            Activity = activity;
            Status = status;
            PercentComplete = percentComplete;
            ParentActivityId = parentActivityId;
            Completed = completed;
        }

        public int ActivityId { get; }
        public string Activity { get; }
        public string Status { get; }
        public int PercentComplete { get; }
        public int ParentActivityId { get; }
        public bool Completed { get; }
    }
}
