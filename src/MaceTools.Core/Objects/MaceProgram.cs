using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Formats;

namespace MaceTools
{
    /// <summary>A MACE program-cache or tuned-parameter file: its generation, identity and entries.</summary>
    public sealed class MaceProgram
    {
        private readonly ReadOnlyMemory<byte> _bytes;
        private string? _sha256;

        internal MaceProgram(string path, ReadOnlyMemory<byte> bytes, MaceFileContent content)
        {
            _bytes = bytes;
            Content = content;
            Path = path;
            Name = System.IO.Path.GetFileName(path);
            Entries = content.Records.Select(r => new MaceProgramEntry(path, r, content.Kind)).ToArray();
            PlatformInfo = Entries.FirstOrDefault(e => e.Kind == MaceEntryKind.PlatformInfo)?.Text;
            Platform = PlatformInfo == null ? null : MaceTools.PlatformInfo.Parse(PlatformInfo);
            DeviceName = Entries.FirstOrDefault(e => e.Kind == MaceEntryKind.DeviceName)?.Text;
            var vendors = Entries.Where(e => e.Vendor.HasValue).Select(e => e.Vendor!.Value).Distinct().ToList();
            Vendor = vendors.Count == 1 ? vendors[0] : vendors.Count == 0 ? (BinaryVendor?)null : BinaryVendor.Unknown;
            var machines = Entries.Where(e => e.Machine != null).Select(e => e.Machine!).Distinct().ToList();
            Machine = machines.Count == 0 ? null : string.Join(", ", machines);
        }

        /// <summary>Reads and decodes a file from disk.</summary>
        public static MaceProgram Load(string path, MaceFileKind? kind = null)
        {
            byte[] bytes = InputGate.ReadAll(path, InputKind.MaceFile);
            return new MaceProgram(path, bytes, MaceFileCodec.Decode(bytes, path, kind));
        }

        public static MaceProgram FromBytes(byte[] bytes, string path, MaceFileKind? kind = null) =>
            new MaceProgram(path, bytes, MaceFileCodec.Decode(bytes, path, kind));

        public string Path { get; }
        public string Name { get; }
        public MaceFileFormat Generation => Content.Format;
        public MaceFileKind Kind => Content.Kind;
        public long Size => Content.Size;
        public string Sha256 => _sha256 ??= Hashing.Sha256Hex(_bytes);
        /// <summary>The <c>mace_opencl_precompiled_platform_info_key</c> value, or null (G1 files of MACE v0.6.1-v0.7.x have none).</summary>
        public string? PlatformInfo { get; }
        public PlatformInfo? Platform { get; }
        public string? MaceVersion => Platform?.MaceVersionText;
        /// <summary>The <c>mace_opencl_precompiled_device_name_key</c> value (v1.1.1 files); "" for GPUs MACE does not know.</summary>
        public string? DeviceName { get; }
        /// <summary>The compiler of the binaries, when they agree; Unknown when they are mixed.</summary>
        public BinaryVendor? Vendor { get; }
        /// <summary>The machines the binaries' code is for (<see cref="MaceProgramEntry.Machine"/>), comma-separated when they differ; null when none says.</summary>
        public string? Machine { get; }
        public int EntryCount => Entries.Length;
        public int ProgramCount => Entries.Count(e => e.Kind == MaceEntryKind.Program);
        public long TrailingBytes => Content.TrailingBytes;
        public MaceProgramEntry[] Entries { get; }
        /// <summary>Set on a file New-MaceProgram just wrote: what the warm-up before capture did and cost; null otherwise.</summary>
        public Compilation.MaceWarmup? Warmup { get; internal set; }

        internal MaceFileContent Content { get; }

        /// <summary>The file's bytes exactly as read (what <see cref="Sha256"/> covers).</summary>
        internal byte[] CopyBytes() => _bytes.ToArray();
    }

    /// <summary>One tuned work-group entry of a tuned-parameter file, with its readable key.</summary>
    public sealed class MaceTuningParameter
    {
        internal MaceTuningParameter(MaceProgramEntry entry)
        {
            Path = entry.Path;
            Key = entry.Key;
            Name = entry.TuningKey ?? entry.Key;
            Values = entry.Words ?? Array.Empty<uint>();
            IsQueueWindow = entry.Kind == MaceEntryKind.QueueWindowSize;
            if (!IsQueueWindow && Values.Length >= 2)
            {
                LocalWorkSize = Values.Take(Values.Length - 1).ToArray();
                BlockSize = Values[Values.Length - 1];
            }
            Offset = entry.Offset;
        }

        public string Path { get; }
        /// <summary>The key as stored (obfuscated by MACE).</summary>
        public string Key { get; }
        /// <summary>The readable tuning key, e.g. conv2d_1x1_opencl_kernel_1_16_16_16.</summary>
        public string Name { get; }
        public uint[] Values { get; }
        /// <summary>The local work size: [l0,l1,l2] for 3-D kernels, [l0,l1] for 2-D.</summary>
        public uint[]? LocalWorkSize { get; }
        /// <summary>The split block size along the last dimension (0 = no split; v0.7.0+ meaning).</summary>
        public uint? BlockSize { get; }
        public bool IsQueueWindow { get; }
        public long Offset { get; }
    }
}
