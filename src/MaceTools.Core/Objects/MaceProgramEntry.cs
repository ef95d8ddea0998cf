using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using MaceTools.Formats;

namespace MaceTools
{
    /// <summary>What a key of a MACE file is for.</summary>
    public enum MaceEntryKind
    {
        Program,
        ProgramHash,
        PlatformInfo,
        DeviceName,
        TuningParameter,
        QueueWindowSize,
    }

    /// <summary>One key of a MACE program or tuned-parameter file, decoded.</summary>
    public sealed class MaceProgramEntry
    {
        private readonly KvRecord _record;
        private string? _sha256;

        internal MaceProgramEntry(string path, KvRecord record, MaceFileKind fileKind)
        {
            _record = record;
            Path = path;
            Key = record.Key;
            Offset = record.Offset;
            Size = fileKind == MaceFileKind.Tuning && record.Value.IsEmpty && record.Words != null ? record.Words.Length * 4 : record.Value.Length;
            Kind = Keys.Classify(record.Key, fileKind);
            switch (Kind)
            {
                case MaceEntryKind.Program:
                    var key = ProgramKey.Parse(record.Key);
                    Program = key.Program;
                    Options = new List<string>(key.Options).ToArray();
                    var kernel = key.Kernel;
                    KernelName = kernel?.Name;
                    KernelSymbol = kernel?.Symbol;
                    Vendor = VendorGuess.Guess(record.Value.Span);
                    Machine = ElfMachine.Find(record.Value.Span);
                    break;
                case MaceEntryKind.ProgramHash:
                    var hashed = ProgramKey.Parse(record.Key.Substring(Keys.ProgramHashPrefix.Length));
                    Program = hashed.Program;
                    Options = new List<string>(hashed.Options).ToArray();
                    Text = Keys.Decode(record.Value.ToArray());
                    break;
                case MaceEntryKind.PlatformInfo:
                case MaceEntryKind.DeviceName:
                    Text = Keys.Decode(record.Value.ToArray());
                    break;
                default:
                    Words = record.Words ?? RawKvCodec.Words(record.Value.Span);
                    TuningKey = Kind == MaceEntryKind.QueueWindowSize ? record.Key : SymbolObfuscation.Deobfuscate(record.Key);
                    break;
            }
        }

        /// <summary>The file this entry is in.</summary>
        public string Path { get; }
        public string Key { get; }
        public MaceEntryKind Kind { get; }
        /// <summary>The OpenCL program (the .cl file stem) for program and program-hash keys.</summary>
        public string? Program { get; }
        /// <summary>Build options in key order; an empty string is MACE's empty option (the double space).</summary>
        public string[]? Options { get; }
        /// <summary>The readable kernel name from the <c>-D&lt;kernel&gt;=&lt;symbol&gt;</c> define.</summary>
        public string? KernelName { get; }
        /// <summary>The symbol the kernel is compiled under (obfuscated unless MACE was built without obfuscation).</summary>
        public string? KernelSymbol { get; }
        public long Size { get; }
        /// <summary>SHA-256 of the value, lower-case hex (computed on first use).</summary>
        public string Sha256 => _sha256 ??= Hashing.Sha256Hex(_record.Value);
        public BinaryVendor? Vendor { get; }
        /// <summary>The machine the binary's compiled code is for (x86_64, aarch64, arm), from its ELF header or the first ELF
        /// image inside it (pocl); null when it holds none (Adreno, SPIR-V, bitcode).</summary>
        public string? Machine { get; }
        /// <summary>The text of a platform-info, device-name or program-hash value.</summary>
        public string? Text { get; }
        /// <summary>Tuned values: [l0,l1,l2,block], [l0,l1,block], or the queue window.</summary>
        public uint[]? Words { get; }
        /// <summary>The tuning key before MACE obfuscated it (unique among keys without upper-case letters).</summary>
        public string? TuningKey { get; }
        public long Offset { get; }

        /// <summary>A copy of the stored value bytes.</summary>
        public byte[] GetValue() => _record.Value.ToArray();

        internal KvRecord Record => _record;
    }

    internal static class Hashing
    {
        public static string Sha256Hex(ReadOnlyMemory<byte> data)
        {
            using var sha = SHA256.Create();
            var segment = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out ArraySegment<byte> a) ? a : new ArraySegment<byte>(data.ToArray());
            return Hex(sha.ComputeHash(segment.Array!, segment.Offset, segment.Count));
        }

        public static string Sha256File(string path, InputKind kind)
        {
            using var sha = SHA256.Create();
            using var stream = InputGate.OpenRead(path, kind);
            return Hex(sha.ComputeHash(stream));
        }

        public static string Hex(byte[] hash)
        {
            var c = new char[hash.Length * 2];
            const string digits = "0123456789abcdef";
            for (int i = 0; i < hash.Length; i++) { c[2 * i] = digits[hash[i] >> 4]; c[2 * i + 1] = digits[hash[i] & 15]; }
            return new string(c);
        }
    }
}
