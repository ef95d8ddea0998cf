using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using MaceTools.Formats;

namespace MaceTools.Operations
{
    /// <summary>Convert-MaceProgram / macetools program convert: change the generation, optionally retarget to a MACE version.</summary>
    public sealed class ConvertProgramOperation : FileOperation
    {
        /// <summary>Target generation; for a tuning file G1/G2 mean T1/T2. Null: the generation of <see cref="MaceVersion"/>.</summary>
        public MaceFileFormat? To { get; set; }
        /// <summary>Retarget: the generation this version reads, and its version in the platform-info string.</summary>
        public MaceVersion? MaceVersion { get; set; }
        /// <summary>A v1.1.1 device name to store (mace_opencl_precompiled_device_name_key).</summary>
        public string? DeviceName { get; set; }
        /// <summary>An output file, or a directory for several inputs.</summary>
        public string Destination { get; set; } = "";
        public bool KeepOrder { get; set; }
        public bool NoClobber { get; set; }
        protected override string Activity => "Converting MACE files";
        private readonly HashSet<string> _written = new HashSet<string>(StringComparer.Ordinal);

        protected override void Prepare(IOperationHost host) => RequireDirectoryForSeveral(host, Destination, created: true);

        protected override void ProcessFile(IOperationHost host, string path)
        {
            var file = MaceProgram.Load(path);
            if (To == null && MaceVersion == null)
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, "name a target generation (-To G1|G2) or a MACE version (-MaceVersion)", path);
            var target = (To ?? MaceVersion!.FormatFor(file.Kind)).ForKind(file.Kind);
            if (MaceVersion != null && To != null && target != MaceVersion.FormatFor(file.Kind))
                host.WriteWarning($"MACE {MaceVersion} reads {MaceVersion.FormatFor(file.Kind)}, not {target}: it will reject this file");
            var records = Retarget(host, file);
            if (!KeepOrder) records = MaceFileContent.Canonical(records);
            string dest = OutputPath(host, path, FileCount > 1);
            if (!_written.Add(System.IO.Path.GetFullPath(dest)))
                throw new MaceException(ErrorIds.OutputExists, MaceErrorCategory.ResourceExists,
                    $"{dest}: another input of this command was already written there; make the destination a directory", dest);
            if (!host.ShouldProcess(dest, $"Write {file.Name} ({file.Generation}) as {target}")) return;
            string folder = System.IO.Path.GetDirectoryName(dest)!;
            try { Directory.CreateDirectory(folder); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new MaceException(ErrorIds.WriteFailed, MaceErrorCategory.WriteError, $"{folder}: cannot create the directory: {e.Message}", folder, e);
            }
            MaceFileCodec.WriteFile(dest, records, target, !NoClobber, host.CancellationToken);
            host.WriteVerbose($"{path} ({file.Generation}, {file.Size} bytes) -> {dest} ({target})");
            host.WriteObject(MaceProgram.Load(dest));
        }

        private List<KvRecord> Retarget(IOperationHost host, MaceProgram file)
        {
            var records = file.Content.Records.ToList();
            if (file.Kind != MaceFileKind.Programs) return records;
            if (MaceVersion != null && file.Platform != null)
            {
                if (MaceVersion.Recognised && MaceVersion.CommitHash == null && MaceVersion.PlatformInfoHasVersion)
                    host.WriteWarning($"'{MaceVersion}' is a tag, but MACE puts its full `git describe` (e.g. v1.1.1-0-g8c75d39) into the platform info; a precompiled file matches only the exact string");
                records = records.Where(r => r.Key != Keys.PlatformInfo).ToList();
                if (MaceVersion.StoresPlatformInfo)
                    records.Add(KvRecord.Bytes(Keys.PlatformInfo, Keys.Encode(file.Platform.WithMaceVersion(MaceVersion))));
                else host.WriteWarning($"MACE {MaceVersion} keeps the platform info outside the file (mace_cl_platform_info.txt): the key is dropped");
                if (!MaceVersion.StoresDeviceName)
                    records = records.Where(r => r.Key != Keys.DeviceName && !r.Key.StartsWith(Keys.ProgramHashPrefix, StringComparison.Ordinal)).ToList();
            }
            if (DeviceName != null)
                records = records.Where(r => r.Key != Keys.DeviceName).Append(KvRecord.Bytes(Keys.DeviceName, Keys.Encode(DeviceName))).ToList();
            return records;
        }

        private string OutputPath(IOperationHost host, string input, bool many)
        {
            if (string.IsNullOrEmpty(Destination))
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, "name where to write the converted file (-Destination / --out)", input);
            string dest = PathResolver.FullPath(Destination, host.CurrentDirectory);
            bool directory = Directory.Exists(dest) || many || Destination.EndsWith("/", StringComparison.Ordinal) || Destination.EndsWith(System.IO.Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal);
            if (directory) return System.IO.Path.Combine(dest, System.IO.Path.GetFileName(input));
            return dest;
        }
    }

    /// <summary>Merge-MaceProgram / macetools program merge: MACE's merge (later files win; conflicting platform info is an error unless forced).</summary>
    public sealed class MergeProgramOperation
    {
        public IList<string> Paths { get; set; } = new List<string>();
        public bool LiteralPaths { get; set; }
        public string Destination { get; set; } = "";
        public MaceFileFormat? To { get; set; }
        public bool Force { get; set; }
        public bool NoClobber { get; set; }

        public void Run(IOperationHost host)
        {
            var files = Paths.SelectMany(p => PathResolver.Resolve(p, host.CurrentDirectory, LiteralPaths)).Distinct().ToList();
            if (files.Count == 0) throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, "no input files");
            var programs = new List<MaceProgram>();
            for (int i = 0; i < files.Count; i++)
            {
                host.CancellationToken.ThrowIfCancellationRequested();
                host.WriteProgress(new OperationProgress(1, "Merging MACE files", files[i], 100 * i / files.Count));
                programs.Add(MaceProgram.Load(files[i]));
            }
            host.WriteProgress(new OperationProgress(1, "Merging MACE files", "done", 100, completed: true));
            var kinds = programs.Select(p => p.Kind).Distinct().ToList();
            if (kinds.Count > 1)
                throw new MaceException(ErrorIds.KindMismatch, MaceErrorCategory.InvalidData,
                    $"cannot merge program files with tuned-parameter files: {string.Join(", ", programs.Select(p => $"{p.Name} ({p.Kind})"))}", files[0]);
            CheckIdentity(host, programs, Keys.PlatformInfo, p => p.PlatformInfo, "There exists more than one OpenCL version for models");
            CheckIdentity(host, programs, Keys.DeviceName, p => p.DeviceName, "the files are for different devices");

            var merged = new Dictionary<string, KvRecord>(StringComparer.Ordinal);
            foreach (var p in programs)
                foreach (var r in MaceFileContent.Canonical(p.Content.Records)) merged[r.Key] = r; // later files win, as MACE's merge does
            var format = (To ?? programs[0].Generation).ForKind(kinds[0]);
            string dest = PathResolver.FullPath(Destination, host.CurrentDirectory);
            if (!host.ShouldProcess(dest, $"Merge {programs.Count} files ({merged.Count} keys) as {format}")) return;
            MaceFileCodec.WriteFile(dest, MaceFileContent.Canonical(merged.Values), format, !NoClobber, host.CancellationToken);
            host.WriteObject(MaceProgram.Load(dest));
        }

        private void CheckIdentity(IOperationHost host, List<MaceProgram> programs, string key, Func<MaceProgram, string?> value, string what)
        {
            var distinct = programs.Where(p => value(p) != null).GroupBy(p => value(p)!).ToList();
            if (distinct.Count <= 1) return;
            string detail = string.Join("; ", distinct.Select(g => $"'{g.Key}' in {string.Join(", ", g.Select(p => p.Name))}"));
            if (!Force)
                throw new MaceException(ErrorIds.PlatformConflict, MaceErrorCategory.InvalidData, $"{what}: {key} differs: {detail} (use -Force / --force to merge anyway; the last file's value wins)", key);
            host.WriteWarning($"{what}: {key} differs: {detail}; the last file's value wins");
        }
    }

    public enum ExportFormat
    {
        Cpp,
        Text,
    }

    /// <summary>Export-MaceProgram / macetools program export: the C++ source MACE links, or a text view.</summary>
    public sealed class ExportProgramOperation : FileOperation
    {
        public ExportFormat Format { get; set; } = ExportFormat.Cpp;
        /// <summary>Output file; without it the text goes to the output stream.</summary>
        public string? Destination { get; set; }
        public string? LoadFunction { get; set; }
        public string? SizeFunction { get; set; }
        /// <summary>For the text view: how many bytes of each binary to show (-1: all).</summary>
        public int MaxBytes { get; set; } = 64;
        public bool NoClobber { get; set; }
        protected override string Activity => "Exporting MACE files";

        protected override void Prepare(IOperationHost host) => RequireDirectoryForSeveral(host, Destination, created: false);

        protected override void ProcessFile(IOperationHost host, string path)
        {
            byte[] bytes = InputGate.ReadAll(path, InputKind.MaceFile);
            var file = MaceProgram.FromBytes(bytes, path);
            Action<TextWriter> write;
            if (Format == ExportFormat.Text) write = w => TextDump.Write(w, file, MaxBytes);
            else
            {
                var names = CppExport.DefaultNames(file.Kind);
                string load = LoadFunction ?? names.Load, size = SizeFunction ?? names.Size;
                ValidateIdentifier(load, path);
                ValidateIdentifier(size, path);
                write = w => CppExport.Write(w, bytes, load, size, $"{System.IO.Path.GetFileName(path)} ({file.Generation}, {file.Size} bytes, sha256 {file.Sha256})");
            }
            if (Destination == null)
            {
                var sw = new StringWriter { NewLine = "\n" };
                write(sw);
                host.WriteObject(sw.ToString());
                return;
            }
            string dest = PathResolver.FullPath(Destination, host.CurrentDirectory);
            if (Directory.Exists(dest)) dest = System.IO.Path.Combine(dest, System.IO.Path.GetFileName(path) + (Format == ExportFormat.Cpp ? ".cc" : ".txt"));
            if (!host.ShouldProcess(dest, $"Export {file.Name} as {Format}")) return;
            FileIO.WriteAtomic(dest, s =>
            {
                using var w = new StreamWriter(s, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
                write(w);
            }, !NoClobber, host.CancellationToken);
            host.WriteVerbose($"{path} -> {dest}");
        }

        private static void ValidateIdentifier(string name, string path)
        {
            if (name.Length == 0 || !(char.IsLetter(name[0]) || name[0] == '_') || !name.All(c => c < 128 && (char.IsLetterOrDigit(c) || c == '_')))
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, $"'{name}' is not a C++ identifier", path);
        }
    }
}
