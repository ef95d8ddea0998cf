using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using MaceTools.Operations;

namespace MaceTools.Commands
{
    /// <summary>
    /// The base of every MaceTools cmdlet: it is the <see cref="IOperationHost"/> the Core operations talk to, so a cmdlet
    /// only binds parameters and calls one operation. Output, errors and progress go through the pipeline thread.
    /// </summary>
    public abstract class MaceCmdlet : PSCmdlet, IOperationHost, IDisposable
    {
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();

        /// <summary>
        /// Runs an operation: the cmdlets' one error boundary. A failure that stops it becomes a terminating error with an
        /// error id and category (a .NET exception from Core is Internal, a cancellation OperationStopped), never a bare
        /// .NET exception; its stack trace goes to the debug stream, which -Debug shows.
        /// </summary>
        protected void Run(Action<IOperationHost> operation)
        {
            try
            {
                operation(this);
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
            {
                // Ctrl+C: the engine is already stopping the pipeline.
            }
            // PowerShell's own flow (a stopped pipeline, -ErrorAction Stop, a failed parameter) passes through as it is.
            catch (Exception e) when (!(e is PipelineStoppedException || e is RuntimeException))
            {
                var error = MaceException.From(e);
                WriteDebug(error.ToString());
                ThrowTerminatingError(ToErrorRecord(error));
            }
        }

        protected override void StopProcessing()
        {
            try { _cancel.Cancel(); }
            catch (ObjectDisposedException) { }
        }

        public void Dispose() => _cancel.Dispose();

        /// <summary>An optional value parameter: null unless the user bound it (an enum's default is not "not given").</summary>
        protected T? IfBound<T>(T value, string name) where T : struct => MyInvocation.BoundParameters.ContainsKey(name) ? value : (T?)null;

        /// <summary>A PowerShell path (PSDrive, ~, provider-qualified) as a file-system path; it need not exist yet.</summary>
        protected string ProviderPath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

        internal static ErrorRecord ToErrorRecord(MaceException e) => new ErrorRecord(e, e.ErrorId, Map(e.Category), e.Target);

        internal static ErrorCategory Map(MaceErrorCategory c) => c switch
        {
            MaceErrorCategory.InvalidArgument => ErrorCategory.InvalidArgument,
            MaceErrorCategory.InvalidData => ErrorCategory.InvalidData,
            MaceErrorCategory.ObjectNotFound => ErrorCategory.ObjectNotFound,
            MaceErrorCategory.ResourceExists => ErrorCategory.ResourceExists,
            MaceErrorCategory.WriteError => ErrorCategory.WriteError,
            MaceErrorCategory.ReadError => ErrorCategory.ReadError,
            MaceErrorCategory.InvalidOperation => ErrorCategory.InvalidOperation,
            MaceErrorCategory.OperationStopped => ErrorCategory.OperationStopped,
            MaceErrorCategory.ConnectionError => ErrorCategory.ConnectionError,
            _ => ErrorCategory.NotSpecified,
        };

        void IOperationHost.WriteObject(object item) => WriteObject(item);
        void IOperationHost.WriteError(MaceException error) => WriteError(ToErrorRecord(error));
        void IOperationHost.WriteWarning(string message) => WriteWarning(message);
        void IOperationHost.WriteVerbose(string message) => WriteVerbose(message);
        void IOperationHost.WriteDebug(string message) => WriteDebug(message);
        bool IOperationHost.ShouldProcess(string target, string action) => ShouldProcess(target, action);
        CancellationToken IOperationHost.CancellationToken => _cancel.Token;
        string IOperationHost.CurrentDirectory => SessionState.Path.CurrentFileSystemLocation.ProviderPath;

        void IOperationHost.WriteProgress(OperationProgress p)
        {
            var record = new ProgressRecord(p.ActivityId, p.Activity, p.Status)
            {
                PercentComplete = p.PercentComplete,
                ParentActivityId = p.ParentActivityId,
                RecordType = p.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            };
            WriteProgress(record);
        }
    }

    /// <summary>
    /// What the -Path / -LiteralPath cmdlets share: resolving the bound set to plain file paths. Each subclass declares the pair
    /// (mandatory or not). Default set LiteralPath: an object carrying both Path and LiteralPath (ours, MaceTools.Types.ps1xml)
    /// then binds literally, so a file named with [ ] is never taken for a wildcard; a typed or piped string still binds -Path.
    /// </summary>
    public abstract class MacePathCmdlet : MaceCmdlet
    {
        protected const string PathSet = "Path";
        protected const string LiteralPathSet = "LiteralPath";

        public abstract string[] Path { get; set; }
        public abstract string[] LiteralPath { get; set; }

        /// <summary>
        /// Fills the paths of a file operation from the bound parameter set. PowerShell resolves them through its
        /// providers (drives, ~, PSPath from Get-ChildItem, its wildcards); Core then gets plain file paths.
        /// </summary>
        protected T WithPaths<T>(T operation) where T : FileOperation
        {
            operation.Paths = ResolvePaths();
            operation.LiteralPaths = true;
            return operation;
        }

        /// <summary>The files the bound set names; a pattern or path that matches no file is a FileNotFound error naming it.</summary>
        protected List<string> ResolvePaths()
        {
            var files = new List<string>();
            if (ParameterSetName == LiteralPathSet)
            {
                foreach (var p in LiteralPath) files.Add(ProviderPath(p));
                return files;
            }
            foreach (var p in Path)
            {
                try
                {
                    var matched = SessionState.Path.GetResolvedProviderPathFromPSPath(p, out _);
                    // A wildcard that matches nothing resolves to nothing, without an error: say so, as for a missing file.
                    if (matched.Count == 0) WriteError(NoFileMatches(p, null));
                    files.AddRange(matched);
                }
                catch (ItemNotFoundException e)
                {
                    WriteError(NoFileMatches(p, e));
                }
            }
            return files;
        }

        private static ErrorRecord NoFileMatches(string path, Exception? inner) =>
            ToErrorRecord(new MaceException(ErrorIds.FileNotFound, MaceErrorCategory.ObjectNotFound, $"{path}: no file matches", path, inner));
    }

    /// <summary>The -Path / -LiteralPath pair of the file cmdlets (PowerShell's convention), one of them required.</summary>
    public abstract class MaceFileCmdlet : MacePathCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public override string[] Path { get; set; } = Array.Empty<string>();

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public override string[] LiteralPath { get; set; } = Array.Empty<string>();
    }

    /// <summary>
    /// The cmdlets that take our files to an inventory's devices (Publish, Compare): files piped in are collected first, so
    /// each device is visited once; the inventory and its selection bind to <see cref="InventoryFileOperation"/>. Without
    /// files (none named, none piped) they take the MACE-named files of the current location; without -Inventory, the
    /// default inventory ($env:MACETOOLS_INVENTORY, then ./devices.yml).
    /// </summary>
    public abstract class InventoryFileCmdlet : MacePathCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public override string[] Path { get; set; } = Array.Empty<string>();

        // Not mandatory either: with no argument at all the default set must not prompt.
        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public override string[] LiteralPath { get; set; } = Array.Empty<string>();

        [Parameter]
        [ValidateNotNullOrEmpty]
        [PSDefaultValue(Value = "$env:MACETOOLS_INVENTORY, else ./devices.yml")]
        public string? Inventory { get; set; }

        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(InventoryTargetCompleter))]
        public string[] Target { get; set; } = Array.Empty<string>();

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(InventoryTagCompleter))]
        public string[] Tag { get; set; } = Array.Empty<string>();

        private readonly List<string> _files = new List<string>();
        private bool _named;

        protected override void ProcessRecord()
        {
            _named |= MyInvocation.BoundParameters.ContainsKey(nameof(Path)) || MyInvocation.BoundParameters.ContainsKey(nameof(LiteralPath));
            _files.AddRange(ResolvePaths());
        }

        /// <summary>The operation with the collected files and the inventory selection bound.</summary>
        protected T Bind<T>(T operation) where T : InventoryFileOperation
        {
            operation.Paths = _files;
            operation.LiteralPaths = true;
            // Nothing named and nothing piped: the files of the current location. Piped input that named no file is not that.
            operation.FindFiles = !_named && !MyInvocation.ExpectingInput;
            operation.Inventory = Inventory == null ? "" : ProviderPath(Inventory);
            operation.Targets = Target;
            operation.Tags = Tag;
            return operation;
        }
    }
}
