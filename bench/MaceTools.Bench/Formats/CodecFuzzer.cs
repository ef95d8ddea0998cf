using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace MaceTools.Formats
{
    /// <summary>The kinds of change <see cref="CodecFuzzer"/> makes to a seed file.</summary>
    public enum FuzzMutation
    {
        BitFlip,
        ByteSet,
        TruncateRandom,
        TruncateHalf,
        TruncateMinusOne,
        LengthHuge,
        LengthNegative,
        LengthZero,
        LengthOffByOne,
        SwapRecords,
        DuplicateRecord,
        AppendGarbage,
        /// <summary>Bit flips within the first bytes of a record (its tag and length fields).</summary>
        RecordHeaderFlip,
    }

    /// <summary>A case that ended in something other than a decoded file or a well-formed <see cref="MaceFormatException"/>.</summary>
    public sealed class FuzzFailure
    {
        public FuzzFailure(int caseNumber, int seedIndex, string mutation, int length, string exceptionType, string message)
        {
            CaseNumber = caseNumber;
            SeedIndex = seedIndex;
            Mutation = mutation;
            Length = length;
            ExceptionType = exceptionType;
            Message = message;
        }

        /// <summary>The case number; <c>Run(seeds, n, seed, *)</c> with the same seeds and seed reproduces it for any n above it.</summary>
        public int CaseNumber { get; }
        public int SeedIndex { get; }
        /// <summary>The mutations applied, in order, with their positions and values.</summary>
        public string Mutation { get; }
        /// <summary>The length of the mutated bytes.</summary>
        public int Length { get; }
        public string ExceptionType { get; }
        public string Message { get; }
        public string Description => $"case {CaseNumber}, seed {SeedIndex}, {Length} bytes, {Mutation}: {ExceptionType}: {Message}";
        public override string ToString() => Description;
    }

    public sealed class FuzzReport
    {
        internal FuzzReport(int cases, int accepted, int rejected, int failureCount, IReadOnlyList<FuzzFailure> failures,
            IReadOnlyDictionary<string, int> errorIdCounts, IReadOnlyDictionary<FuzzMutation, int> mutationCounts, int crcFixedCases, TimeSpan elapsed)
        {
            Cases = cases;
            Accepted = accepted;
            Rejected = rejected;
            FailureCount = failureCount;
            Failures = failures;
            ErrorIdCounts = errorIdCounts;
            MutationCounts = mutationCounts;
            CrcFixedCases = crcFixedCases;
            Elapsed = elapsed;
        }

        public int Cases { get; }
        /// <summary>Cases that decoded.</summary>
        public int Accepted { get; }
        /// <summary>Cases rejected with a well-formed <see cref="MaceFormatException"/>.</summary>
        public int Rejected { get; }
        /// <summary>All failing cases (only the first <see cref="CodecFuzzer.MaxFailuresKept"/> are in <see cref="Failures"/>).</summary>
        public int FailureCount { get; }
        /// <summary>Failing cases, by case number.</summary>
        public IReadOnlyList<FuzzFailure> Failures { get; }
        /// <summary>How often each error id rejected a case.</summary>
        public IReadOnlyDictionary<string, int> ErrorIdCounts { get; }
        /// <summary>How often each mutation was applied (a case may apply more than one).</summary>
        public IReadOnlyDictionary<FuzzMutation, int> MutationCounts { get; }
        /// <summary>Cases of protobuf seeds whose CRC-32 trailer was recomputed after the mutation, so the parser saw them.</summary>
        public int CrcFixedCases { get; }
        public TimeSpan Elapsed { get; }

        public override string ToString() =>
            $"{Cases} cases in {Elapsed.TotalSeconds:F1} s: {Accepted} accepted, {Rejected} rejected, {FailureCount} failures; " +
            $"CRC recomputed in {CrcFixedCases}; errors: {string.Join(", ", ErrorIdCounts.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}={k.Value}"))}";
    }

    /// <summary>
    /// A deterministic mutation fuzzer for <see cref="MaceFileCodec.Decode"/>. Every case is derived from
    /// (<c>seed</c>, case number) alone, so a report does not depend on the degree of parallelism, and a failing case is
    /// reproduced by its number. A case passes if the bytes decode, or if decoding throws a
    /// <see cref="MaceFormatException"/> whose offset lies within the data and whose message is not empty.
    /// </summary>
    public static class CodecFuzzer
    {
        public const int MaxFailuresKept = 1000;
        private const double CrcFixShare = 0.6;
        private const double StackShare = 0.2;
        private const int Batch = 64;

        public static FuzzReport Run(IReadOnlyList<byte[]> seeds, int cases, int seed, int degreeOfParallelism)
        {
            if (seeds == null) throw new ArgumentNullException(nameof(seeds));
            if (seeds.Count == 0) throw new ArgumentException("at least one seed is needed", nameof(seeds));
            if (cases < 0) throw new ArgumentOutOfRangeException(nameof(cases));
            int workers = Math.Max(1, Math.Min(degreeOfParallelism, Math.Max(1, cases)));
            var shapes = seeds.Select(s => Shape.Analyze(s ?? throw new ArgumentException("a seed is null", nameof(seeds)))).ToArray();
            var results = new Worker[workers];
            var sw = Stopwatch.StartNew();
            int next = 0;
            // workers take batches of cases as they free up, so one slow seed does not hold the run back
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                var worker = new Worker(shapes, seed);
                int start;
                while ((start = Interlocked.Add(ref next, Batch) - Batch) < cases)
                    for (int i = start, stop = Math.Min(cases, start + Batch); i < stop; i++) worker.RunCase(i);
                results[w] = worker;
            });
            sw.Stop();

            var errorIds = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var mutations = new SortedDictionary<FuzzMutation, int>();
            var failures = new List<FuzzFailure>();
            int accepted = 0, rejected = 0, failureCount = 0, crcFixed = 0;
            foreach (var r in results)
            {
                accepted += r.Accepted;
                rejected += r.Rejected;
                failureCount += r.FailureCount;
                crcFixed += r.CrcFixed;
                failures.AddRange(r.Failures);
                foreach (var kv in r.ErrorIds) errorIds[kv.Key] = (errorIds.TryGetValue(kv.Key, out int n) ? n : 0) + kv.Value;
                for (int m = 0; m < r.Mutations.Length; m++)
                    if (r.Mutations[m] > 0) mutations[(FuzzMutation)m] = (mutations.TryGetValue((FuzzMutation)m, out int n) ? n : 0) + r.Mutations[m];
            }
            failures.Sort((a, b) => a.CaseNumber.CompareTo(b.CaseNumber));
            if (failures.Count > MaxFailuresKept) failures.RemoveRange(MaxFailuresKept, failures.Count - MaxFailuresKept);
            return new FuzzReport(cases, accepted, rejected, failureCount, failures, errorIds, mutations, crcFixed, sw.Elapsed);
        }

        // ------------------------------------------------------------------ seed structure

        private enum FieldKind { Int64, Int32, Varint }

        /// <summary>A length (or count) field of a seed: where it is, how it is stored, and its value.</summary>
        private readonly struct LengthField
        {
            public LengthField(int offset, int width, FieldKind kind, long value, int parent = -1)
            {
                Offset = offset; Width = width; Kind = kind; Value = value; Parent = parent;
            }
            public int Offset { get; }
            public int Width { get; }
            public FieldKind Kind { get; }
            public long Value { get; }
            /// <summary>For a field inside a KVPair: the index (in <see cref="Shape.Lengths"/>) of the KVPair's length, else -1.</summary>
            public int Parent { get; }
        }

        /// <summary>What the mutator knows of a seed: raw or protobuf, its length fields and its record spans.</summary>
        private sealed class Shape
        {
            public byte[] Bytes = Array.Empty<byte>();
            public bool Protobuf;
            public readonly List<LengthField> Lengths = new List<LengthField>();
            public readonly List<(int Start, int End)> Records = new List<(int, int)>();

            public static Shape Analyze(byte[] bytes)
            {
                var s = new Shape { Bytes = bytes };
                if (bytes.Length >= 4 && ProtoKvCodec.CrcMatches(bytes, out _, out _))
                {
                    s.Protobuf = true;
                    s.WalkProtobuf(0, bytes.Length - 4, -1);
                }
                else s.WalkRaw();
                return s;
            }

            private void WalkRaw()
            {
                byte[] d = Bytes;
                if (d.Length < 8) return;
                long count = BinaryPrimitives.ReadInt64LittleEndian(d);
                Lengths.Add(new LengthField(0, 8, FieldKind.Int64, count));
                int pos = 8;
                for (long i = 0; i < count; i++)
                {
                    int start = pos;
                    for (int part = 0; part < 2; part++)
                    {
                        if (d.Length - pos < 4) return;
                        int len = BinaryPrimitives.ReadInt32LittleEndian(d.AsSpan(pos));
                        if (len < 0 || len > d.Length - pos - 4) return;
                        Lengths.Add(new LengthField(pos, 4, FieldKind.Int32, len));
                        pos += 4 + len;
                    }
                    Records.Add((start, pos));
                }
            }

            /// <summary>Collects every varint length (and, inside a KVPair, every uint32 word) of a well-formed message.</summary>
            private void WalkProtobuf(int pos, int end, int parent)
            {
                bool container = parent < 0;
                byte[] d = Bytes;
                while (pos < end)
                {
                    int start = pos;
                    if (!TryVarint(d, ref pos, end, out ulong tag)) return;
                    int wire = (int)(tag & 7);
                    if (wire == 2)
                    {
                        int lenAt = pos;
                        if (!TryVarint(d, ref pos, end, out ulong len) || len > (ulong)(end - pos)) return;
                        Lengths.Add(new LengthField(lenAt, pos - lenAt, FieldKind.Varint, (long)len, parent));
                        if (container && tag >> 3 == 1)
                        {
                            WalkProtobuf(pos, pos + (int)len, Lengths.Count - 1);
                            Records.Add((start, pos + (int)len));
                        }
                        pos += (int)len;
                    }
                    else if (wire == 0)
                    {
                        int at = pos;
                        if (!TryVarint(d, ref pos, end, out ulong v)) return;
                        if (!container) Lengths.Add(new LengthField(at, pos - at, FieldKind.Varint, (long)v, parent));
                    }
                    else if (wire == 5 && end - pos >= 4) pos += 4;
                    else if (wire == 1 && end - pos >= 8) pos += 8;
                    else return;
                }
            }

            private static bool TryVarint(byte[] d, ref int pos, int end, out ulong value)
            {
                value = 0;
                for (int shift = 0; shift < 64 && pos < end; shift += 7)
                {
                    byte b = d[pos++];
                    value |= (ulong)(b & 0x7F) << shift;
                    if ((b & 0x80) == 0) return true;
                }
                return false;
            }
        }

        // ------------------------------------------------------------------ one worker (one thread)

        private sealed class Worker
        {
            private readonly Shape[] _shapes;
            private readonly int _seed;
            private byte[] _buf = new byte[1 << 16];
            private int _len;
            private readonly List<string> _applied = new List<string>(4);

            public int Accepted, Rejected, FailureCount, CrcFixed;
            public readonly List<FuzzFailure> Failures = new List<FuzzFailure>();
            public readonly Dictionary<string, int> ErrorIds = new Dictionary<string, int>(StringComparer.Ordinal);
            public readonly int[] Mutations = new int[Enum.GetValues(typeof(FuzzMutation)).Length];

            public Worker(Shape[] shapes, int seed) { _shapes = shapes; _seed = seed; }

            public void RunCase(int caseNumber)
            {
                var rng = new Rng(_seed, caseNumber);
                int seedIndex = caseNumber % _shapes.Length;
                var shape = _shapes[seedIndex];
                _applied.Clear();
                try
                {
                    Load(shape.Bytes);
                    Mutate(shape, ref rng);
                    if (rng.NextDouble() < StackShare) Mutate(shape, ref rng);
                    if (shape.Protobuf && _len >= 4 && rng.NextDouble() < CrcFixShare)
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(_buf.AsSpan(_len - 4), Crc32.Compute(_buf.AsSpan(0, _len - 4)));
                        _applied.Add("crc-recomputed");
                        CrcFixed++;
                    }
                }
                catch (Exception e)
                {
                    Fail(caseNumber, seedIndex, "mutator: " + e.GetType().FullName, e.Message);
                    return;
                }

                var data = new ReadOnlyMemory<byte>(_buf, 0, _len);
                try
                {
                    var content = MaceFileCodec.Decode(data, "fuzz");
                    string? broken = CheckAccepted(content);
                    if (broken != null) Fail(caseNumber, seedIndex, "accepted with a broken result", broken);
                    else Accepted++;
                }
                catch (MaceFormatException e)
                {
                    if (e.Offset < 0 || e.Offset > _len)
                        Fail(caseNumber, seedIndex, nameof(MaceFormatException), $"offset {e.Offset} outside [0, {_len}]: {e.Message}");
                    else if (string.IsNullOrEmpty(e.Detail) || string.IsNullOrEmpty(e.ErrorId))
                        Fail(caseNumber, seedIndex, nameof(MaceFormatException), "empty message or error id");
                    else
                    {
                        Rejected++;
                        ErrorIds[e.ErrorId] = (ErrorIds.TryGetValue(e.ErrorId, out int n) ? n : 0) + 1;
                    }
                }
                catch (Exception e)
                {
                    Fail(caseNumber, seedIndex, e.GetType().FullName ?? e.GetType().Name, e.Message);
                }
            }

            private string? CheckAccepted(MaceFileContent c)
            {
                if (c.Size != _len) return $"Size {c.Size} != {_len}";
                if (c.TrailingBytes < 0 || c.TrailingBytes > _len) return $"TrailingBytes {c.TrailingBytes}";
                foreach (var r in c.Records)
                {
                    if (r.ValueOffset > _len || r.ValueOffset >= 0 && r.ValueOffset + r.Value.Length > _len) return $"record '{r.Key}' value at {r.ValueOffset}+{r.Value.Length}";
                    if (r.Offset < 0 || r.Offset >= _len) return $"record '{r.Key}' offset {r.Offset}";
                }
                return null;
            }

            private void Fail(int caseNumber, int seedIndex, string type, string message)
            {
                FailureCount++;
                if (Failures.Count < MaxFailuresKept)
                    Failures.Add(new FuzzFailure(caseNumber, seedIndex, _applied.Count == 0 ? "(none)" : string.Join(" + ", _applied), _len, type, message));
            }

            // -------------------------------------------------------------- mutations

            private void Mutate(Shape shape, ref Rng rng)
            {
                int roll = rng.Next(100);
                FuzzMutation m =
                    roll < 14 ? FuzzMutation.BitFlip :
                    roll < 22 ? FuzzMutation.ByteSet :
                    roll < 27 ? FuzzMutation.TruncateRandom :
                    roll < 30 ? FuzzMutation.TruncateHalf :
                    roll < 33 ? FuzzMutation.TruncateMinusOne :
                    roll < 39 ? FuzzMutation.LengthHuge :
                    roll < 45 ? FuzzMutation.LengthNegative :
                    roll < 51 ? FuzzMutation.LengthZero :
                    roll < 58 ? FuzzMutation.LengthOffByOne :
                    roll < 67 ? FuzzMutation.SwapRecords :
                    roll < 76 ? FuzzMutation.DuplicateRecord :
                    roll < 84 ? FuzzMutation.AppendGarbage :
                    FuzzMutation.RecordHeaderFlip;
                Mutations[(int)m]++;
                switch (m)
                {
                    case FuzzMutation.BitFlip:
                    {
                        int n = 1 + rng.Next(4);
                        for (int i = 0; i < n && _len > 0; i++)
                        {
                            // a third of the flips land in the first 64 bytes, where the counts and the first lengths are
                            int at = rng.Next(3) == 0 ? rng.Next(Math.Min(64, _len)) : rng.Next(_len);
                            int bit = rng.Next(8);
                            _buf[at] ^= (byte)(1 << bit);
                            _applied.Add($"bit-flip@{at}.{bit}");
                        }
                        break;
                    }
                    case FuzzMutation.ByteSet:
                    {
                        int n = 1 + rng.Next(4);
                        for (int i = 0; i < n && _len > 0; i++)
                        {
                            int at = rng.Next(2) == 0 ? rng.Next(Math.Min(64, _len)) : rng.Next(_len);
                            byte v = Interesting[rng.Next(Interesting.Length + 1) % Interesting.Length];
                            if (rng.Next(4) == 0) v = (byte)rng.Next(256);
                            _buf[at] = v;
                            _applied.Add($"byte-set@{at}=0x{v:x2}");
                        }
                        break;
                    }
                    case FuzzMutation.TruncateRandom:
                        _len = rng.Next(_len + 1);
                        _applied.Add($"truncate-to-{_len}");
                        break;
                    case FuzzMutation.TruncateHalf:
                        _len /= 2;
                        _applied.Add($"truncate-half-to-{_len}");
                        break;
                    case FuzzMutation.TruncateMinusOne:
                        if (_len > 0) _len--;
                        _applied.Add($"truncate-minus-one-to-{_len}");
                        break;
                    case FuzzMutation.LengthHuge:
                    case FuzzMutation.LengthNegative:
                    case FuzzMutation.LengthZero:
                    case FuzzMutation.LengthOffByOne:
                        MutateLength(shape, m, ref rng);
                        break;
                    case FuzzMutation.SwapRecords:
                        SwapRecords(shape, ref rng);
                        break;
                    case FuzzMutation.DuplicateRecord:
                        DuplicateRecord(shape, ref rng);
                        break;
                    case FuzzMutation.AppendGarbage:
                    {
                        int n = 1 + rng.Next(rng.Next(4) == 0 ? 4096 : 64);
                        Ensure(_len + n);
                        for (int i = 0; i < n; i++) _buf[_len + i] = (byte)rng.Next(256);
                        if (rng.Next(4) == 0) _buf[_len] = 0x0A; // looks like another PairContainer field
                        _len += n;
                        _applied.Add($"append-{n}");
                        break;
                    }
                    case FuzzMutation.RecordHeaderFlip:
                    {
                        if (shape.Records.Count == 0) goto case FuzzMutation.BitFlip;
                        var (start, end) = shape.Records[rng.Next(shape.Records.Count)];
                        int span = Math.Min(12, end - start);
                        int at = start + rng.Next(Math.Max(1, span));
                        if (at >= _len) break;
                        int bit = rng.Next(8);
                        _buf[at] ^= (byte)(1 << bit);
                        _applied.Add($"record-header-flip@{at}.{bit}");
                        break;
                    }
                }
            }

            private static readonly byte[] Interesting = { 0x00, 0xFF, 0x7F, 0x80, 0x01, 0x0A, 0x12, 0x18, 0x1A, 0xFE };

            private void MutateLength(Shape shape, FuzzMutation m, ref Rng rng)
            {
                if (shape.Lengths.Count == 0) { _applied.Add("length(no fields)"); return; }
                // the count and the first few fields are hit more often: that is where a reader commits to sizes
                var f = rng.Next(3) == 0 ? shape.Lengths[rng.Next(Math.Min(4, shape.Lengths.Count))] : shape.Lengths[rng.Next(shape.Lengths.Count)];
                if (f.Offset + f.Width > _len) { _applied.Add($"length@{f.Offset}(cut off)"); return; }
                long v;
                switch (m)
                {
                    case FuzzMutation.LengthHuge:
                    {
                        long[] huge = f.Kind == FieldKind.Int64
                            ? new[] { long.MaxValue, 1L << 31, 1L << 32, 1L << 40, _len, (long)_len / 8 + 1 }
                            : f.Kind == FieldKind.Int32
                                ? new long[] { int.MaxValue, int.MaxValue - 3, 1 << 30, _len, _len - f.Offset - f.Width + 1 }
                                : new[] { long.MaxValue, uint.MaxValue, int.MaxValue, 1L << 31, _len, _len - f.Offset - f.Width + 1, -1L /* 2^64-1 */ };
                        v = huge[rng.Next(huge.Length)];
                        break;
                    }
                    case FuzzMutation.LengthNegative:
                    {
                        long[] neg = f.Kind == FieldKind.Int64 ? new[] { -1L, long.MinValue, -(long)_len, int.MinValue } : new long[] { -1, int.MinValue, -4, -f.Value - 1 };
                        v = neg[rng.Next(neg.Length)];
                        break;
                    }
                    case FuzzMutation.LengthZero:
                        v = 0;
                        break;
                    default:
                        v = f.Value + (rng.Next(2) == 0 ? 1 : -1);
                        if (f.Kind == FieldKind.Varint && v < 0) v = 1;
                        break;
                }
                _applied.Add($"{m}@{f.Offset}:{f.Kind}:{f.Value}->{v}");
                switch (f.Kind)
                {
                    case FieldKind.Int64: BinaryPrimitives.WriteInt64LittleEndian(_buf.AsSpan(f.Offset), v); break;
                    case FieldKind.Int32: BinaryPrimitives.WriteInt32LittleEndian(_buf.AsSpan(f.Offset), unchecked((int)v)); break;
                    default:
                    {
                        // protobuf writes a negative int32 as a 10-byte varint of its 64-bit two's complement
                        int n = SpliceVarint(f.Offset, f.Width, unchecked((ulong)v));
                        // Half the time the enclosing KVPair's length follows the change of width, so that the pair
                        // still frames correctly and the parser meets the bad value itself (not just a misframed pair).
                        if (n != f.Width && f.Parent >= 0 && rng.Next(2) == 0)
                        {
                            var p = shape.Lengths[f.Parent];
                            SpliceVarint(p.Offset, p.Width, (ulong)(p.Value + n - f.Width));
                            _applied.Add("pair-length-adjusted");
                        }
                        break;
                    }
                }
            }

            private int SpliceVarint(int at, int width, ulong u)
            {
                Span<byte> enc = stackalloc byte[10];
                int n = 0;
                while (u >= 0x80) { enc[n++] = (byte)(u | 0x80); u >>= 7; }
                enc[n++] = (byte)u;
                Splice(at, width, enc.Slice(0, n));
                return n;
            }

            private void SwapRecords(Shape shape, ref Rng rng)
            {
                if (shape.Records.Count < 2) { _applied.Add("swap(too few records)"); return; }
                int i = rng.Next(shape.Records.Count), j = rng.Next(shape.Records.Count - 1);
                if (j >= i) j++;
                if (i > j) (i, j) = (j, i);
                var a = shape.Records[i];
                var b = shape.Records[j];
                if (b.End > _len) { _applied.Add($"swap {i}<->{j}(cut off)"); return; }
                // [..a.Start) b [a.End..b.Start) a [b.End..)
                byte[] ra = _buf.AsSpan(a.Start, a.End - a.Start).ToArray();
                byte[] rb = _buf.AsSpan(b.Start, b.End - b.Start).ToArray();
                Splice(b.Start, rb.Length, ra);
                Splice(a.Start, ra.Length, rb);
                _applied.Add($"swap-records {i}<->{j}");
            }

            private void DuplicateRecord(Shape shape, ref Rng rng)
            {
                if (shape.Records.Count == 0) { _applied.Add("duplicate(no records)"); return; }
                int i = rng.Next(shape.Records.Count);
                var r = shape.Records[i];
                if (r.End > _len) { _applied.Add($"duplicate {i}(cut off)"); return; }
                var target = shape.Records[rng.Next(shape.Records.Count)];
                int at = Math.Min(_len, rng.Next(2) == 0 ? target.Start : target.End);
                byte[] copy = _buf.AsSpan(r.Start, r.End - r.Start).ToArray();
                Splice(at, 0, copy);
                bool bump = !shape.Protobuf && _len >= 8 && rng.Next(2) == 0;
                if (bump) BinaryPrimitives.WriteInt64LittleEndian(_buf, BinaryPrimitives.ReadInt64LittleEndian(_buf) + 1);
                _applied.Add($"duplicate-record {i}@{at}{(bump ? " count+1" : "")}");
            }

            // -------------------------------------------------------------- buffer

            private void Load(byte[] seed)
            {
                Ensure(seed.Length);
                Buffer.BlockCopy(seed, 0, _buf, 0, seed.Length);
                _len = seed.Length;
            }

            private void Ensure(int size)
            {
                if (size <= _buf.Length) return;
                var bigger = new byte[Math.Max(size, _buf.Length * 2)];
                Buffer.BlockCopy(_buf, 0, bigger, 0, _len);
                _buf = bigger;
            }

            /// <summary>Replaces <paramref name="remove"/> bytes at <paramref name="at"/> with <paramref name="insert"/>.</summary>
            private void Splice(int at, int remove, ReadOnlySpan<byte> insert)
            {
                at = Math.Min(at, _len);
                remove = Math.Min(remove, _len - at);
                int tail = _len - at - remove;
                Ensure(_len - remove + insert.Length);
                Buffer.BlockCopy(_buf, at + remove, _buf, at + insert.Length, tail);
                insert.CopyTo(_buf.AsSpan(at));
                _len = _len - remove + insert.Length;
            }
        }

        /// <summary>SplitMix64, seeded from (run seed, case number): the same case gives the same bytes everywhere.</summary>
        internal struct Rng
        {
            private ulong _state;

            public Rng(int seed, int caseNumber)
            {
                _state = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ ((ulong)(uint)caseNumber + 1) * 0xD1B54A32D192ED03UL);
                NextULong();
            }

            public ulong NextULong()
            {
                ulong z = unchecked(_state += 0x9E3779B97F4A7C15UL);
                z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
                z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
                return z ^ (z >> 31);
            }

            /// <summary>Uniform in [0, max); 0 when max &lt;= 0.</summary>
            public int Next(int max) => max <= 0 ? 0 : (int)(NextULong() % (ulong)max);

            public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));
        }
    }
}
