using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MaceTools.Operations
{
    /// <summary>The shared walk of the file verbs: resolve each path (wildcards unless literal), report progress, one error per failed file.</summary>
    public abstract class FileOperation
    {
        /// <summary>Paths, with wildcards unless <see cref="LiteralPaths"/>.</summary>
        public IList<string> Paths { get; set; } = new List<string>();
        public bool LiteralPaths { get; set; }

        protected abstract string Activity { get; }

        /// <summary>How many files the current run resolved to.</summary>
        protected int FileCount { get; private set; }

        public void Run(IOperationHost host)
        {
            var files = new List<string>();
            foreach (var p in Paths)
            {
                try { files.AddRange(PathResolver.Resolve(p, host.CurrentDirectory, LiteralPaths)); }
                catch (MaceException e) { host.WriteError(e); }
            }
            FileCount = files.Count;
            Prepare(host);
            for (int i = 0; i < files.Count; i++)
            {
                host.CancellationToken.ThrowIfCancellationRequested();
                if (files.Count > 1) host.WriteProgress(new OperationProgress(1, Activity, files[i], 100 * i / files.Count));
                try { ProcessFile(host, files[i]); }
                catch (MaceException e) { host.WriteError(e); }
            }
            if (files.Count > 1) host.WriteProgress(new OperationProgress(1, Activity, "done", 100, completed: true));
        }

        protected abstract void ProcessFile(IOperationHost host, string path);

        /// <summary>Checks of the whole run (where several inputs go), once, before any file: an error stops the run.</summary>
        protected virtual void Prepare(IOperationHost host) { }

        /// <summary>
        /// Several inputs go into a directory: a destination that is a file (or, unless <paramref name="created"/>, one that
        /// does not exist) is one usage error before anything is read, not a failure per input or one output replacing another.
        /// </summary>
        protected void RequireDirectoryForSeveral(IOperationHost host, string? destination, bool created)
        {
            if (FileCount < 2 || string.IsNullOrEmpty(destination)) return;
            string full = PathResolver.FullPath(destination!, host.CurrentDirectory);
            if (Directory.Exists(full) || (created && !File.Exists(full))) return;
            throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument,
                $"{destination}: {(File.Exists(full) ? "is a file" : "no such directory")}: -Destination must be a directory for several inputs", destination);
        }
    }

    /// <summary>Get-MaceProgram / macetools program show: a summary object per file.</summary>
    public sealed class GetProgramOperation : FileOperation
    {
        public MaceFileKind? Kind { get; set; }
        protected override string Activity => "Reading MACE files";
        protected override void ProcessFile(IOperationHost host, string path) => host.WriteObject(MaceProgram.Load(path, Kind));
    }

    /// <summary>Get-MaceProgramEntry: one object per key, optionally filtered by key pattern and entry kind.</summary>
    public sealed class GetProgramEntryOperation : FileOperation
    {
        public string? KeyPattern { get; set; }
        public MaceEntryKind[]? EntryKinds { get; set; }
        protected override string Activity => "Reading MACE file entries";

        protected override void ProcessFile(IOperationHost host, string path)
        {
            var re = KeyPattern == null ? null : PathResolver.ToRegex(KeyPattern);
            foreach (var e in MaceProgram.Load(path).Entries)
                if ((re == null || re.IsMatch(e.Key) || (e.TuningKey != null && re.IsMatch(e.TuningKey)))
                    && (EntryKinds == null || EntryKinds.Length == 0 || EntryKinds.Contains(e.Kind)))
                    host.WriteObject(e);
        }
    }

    /// <summary>Get-MaceTuningParameter: the tuned entries of tuned-parameter files, with readable keys.</summary>
    public sealed class GetTuningParameterOperation : FileOperation
    {
        protected override string Activity => "Reading tuned-parameter files";

        protected override void ProcessFile(IOperationHost host, string path)
        {
            var file = MaceProgram.Load(path);
            if (file.Kind != MaceFileKind.Tuning)
                throw new MaceException(ErrorIds.KindMismatch, MaceErrorCategory.InvalidData,
                    $"{path}: is a {file.Generation} program file, not a tuned-parameter file (use Get-MaceProgramEntry)", path);
            foreach (var e in file.Entries) host.WriteObject(new MaceTuningParameter(e));
        }
    }
}
