using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime;
using System.Runtime.Versioning;
using System.Text;

namespace MaceTools.Formats
{
    /// <summary>Figures from <see cref="CodecBenchmark.Run"/>. MB is 10^6 bytes, GB 10^9.</summary>
    public sealed class CodecBenchmarkResult
    {
        public long FileBytes { get; set; }
        public int Entries { get; set; }
        /// <summary>G2 decode (File.ReadAllBytes + MaceFileCodec.Decode, CRC check included): best of 3.</summary>
        public double DecodeMBps { get; set; }
        /// <summary>G2 decode: median of 3.</summary>
        public double DecodeMedianMBps { get; set; }
        /// <summary>The first G2 decode, the one whose memory is measured: its byte array lands on pages the process never touched before.</summary>
        public double DecodeColdMBps { get; set; }
        /// <summary>G2 encode of the decoded records to a FileStream (page cache; no fsync): best of 3.</summary>
        public double EncodeFileMBps { get; set; }
        /// <summary>G2 encode of the decoded records to Stream.Null: best of 3.</summary>
        public double EncodeNullMBps { get; set; }
        public long G1FileBytes { get; set; }
        /// <summary>G1 decode (File.ReadAllBytes + MaceFileCodec.Decode; Decode still tries the CRC first): best of 3.</summary>
        public double G1DecodeMBps { get; set; }
        /// <summary>G1 encode to a FileStream: best of 3.</summary>
        public double G1EncodeMBps { get; set; }
        /// <summary>Peak resident set during one G2 decode (VmHWM after resetting it), whole process.</summary>
        public long PeakRssBytes { get; set; }
        /// <summary>Resident set just before that decode (VmRSS).</summary>
        public long BaselineRssBytes { get; set; }
        /// <summary>GC.GetTotalMemory(true) just before that decode.</summary>
        public long ManagedBeforeDecodeBytes { get; set; }
        /// <summary><see cref="PeakRssBytes"/> / <see cref="FileBytes"/>.</summary>
        public double PeakToFileRatio { get; set; }
        /// <summary>(<see cref="PeakRssBytes"/> - <see cref="BaselineRssBytes"/>) / <see cref="FileBytes"/>: what the decode itself added.</summary>
        public double DecodeGrowthToFileRatio { get; set; }
        /// <summary>Crc32.Compute over the file bytes already in memory: best of 3.</summary>
        public double Crc32MBps { get; set; }
        /// <summary>System.IO.Hashing.Crc32.HashToUInt32 over the same bytes, interleaved with ours: best of 3.</summary>
        public double Crc32LibraryMBps { get; set; }
        /// <summary>Which build of System.IO.Hashing ran (its TargetFramework): the module loads the netstandard2.0 one, a net10.0 app the vectorised one.</summary>
        public string Crc32LibraryBuild { get; set; } = "";
        /// <summary>How the peak was measured ("VmHWM" on Linux, else the process's PeakWorkingSet64, which cannot be reset).</summary>
        public string MemoryMethod { get; set; } = "";

        public override string ToString()
        {
            var c = CultureInfo.InvariantCulture;
            return string.Format(c,
                "G2 file {0:F1} MB, {1} entries; decode best {2:F0} MB/s, median {3:F0} MB/s, first (cold) {16:F0} MB/s; CRC-32 {4:F0} MB/s (System.IO.Hashing {17:F0} MB/s, {18} build); " +
                "encode to file {5:F0} MB/s, to Stream.Null {6:F0} MB/s; G1 file {7:F1} MB: decode {8:F0} MB/s, encode {9:F0} MB/s; " +
                "peak RSS during decode {10:F1} MB ({11}) = {12:F2} x file (baseline RSS {13:F1} MB, managed {14:F1} MB; decode added {15:F2} x file)",
                FileBytes / 1e6, Entries, DecodeMBps, DecodeMedianMBps, Crc32MBps, EncodeFileMBps, EncodeNullMBps,
                G1FileBytes / 1e6, G1DecodeMBps, G1EncodeMBps, PeakRssBytes / 1e6, MemoryMethod, PeakToFileRatio,
                BaselineRssBytes / 1e6, ManagedBeforeDecodeBytes / 1e6, DecodeGrowthToFileRatio, DecodeColdMBps, Crc32LibraryMBps, Crc32LibraryBuild);
        }
    }

    /// <summary>
    /// Measures the codec on a synthetic G2 program cache of a chosen size: decode (read + CRC + parse), encode,
    /// the G1 equivalents, CRC-32 alone, and the peak memory of a decode. The file is generated record by record
    /// from one shared buffer, so generating it needs no memory in proportion to its size.
    /// </summary>
    public static class CodecBenchmark
    {
        private const int Runs = 3;

        public static CodecBenchmarkResult Run(long targetBytes, string workDirectory, Action<string>? log)
        {
            if (targetBytes <= 0) throw new ArgumentOutOfRangeException(nameof(targetBytes));
            if (targetBytes > int.MaxValue - (64L << 20))
                throw new ArgumentOutOfRangeException(nameof(targetBytes), "a decoded file is one byte array, so it must stay under 2 GB");
            Directory.CreateDirectory(workDirectory);
            string tag = Guid.NewGuid().ToString("N").Substring(0, 8);
            string g2Path = Path.Combine(workDirectory, $"macetools-bench-{tag}.g2.bin");
            string g2Copy = Path.Combine(workDirectory, $"macetools-bench-{tag}.g2-encoded.bin");
            string g1Path = Path.Combine(workDirectory, $"macetools-bench-{tag}.g1.bin");
            var result = new CodecBenchmarkResult();
            try
            {
                SyntheticPrograms? synthetic = new SyntheticPrograms(targetBytes);
                result.Entries = synthetic.Count;
                var sw = Stopwatch.StartNew();
                using (var fs = new FileStream(g2Path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                    MaceFileCodec.Encode(synthetic, MaceFileFormat.G2, fs);
                result.FileBytes = new FileInfo(g2Path).Length;
                log?.Invoke($"wrote {g2Path}: {result.FileBytes / 1e6:F1} MB, {synthetic.Count} entries, in {sw.Elapsed.TotalSeconds:F2} s");
                synthetic = null;

                MeasureDecodeMemory(g2Path, result, log);

                // G2 decode throughput
                var decodeTimes = new double[Runs];
                MaceFileContent? content = null;
                for (int i = 0; i < Runs; i++)
                {
                    content = null;
                    FullCollect();
                    sw.Restart();
                    byte[] bytes = File.ReadAllBytes(g2Path);
                    content = MaceFileCodec.Decode(bytes, g2Path);
                    sw.Stop();
                    decodeTimes[i] = sw.Elapsed.TotalSeconds;
                    if (content.Format != MaceFileFormat.G2 || content.Records.Count != result.Entries)
                        throw new InvalidOperationException($"the benchmark file decoded as {content.Format} with {content.Records.Count} records");
                    log?.Invoke($"G2 decode run {i + 1}: {Rate(result.FileBytes, decodeTimes[i]):F0} MB/s ({decodeTimes[i] * 1000:F0} ms)");
                }
                result.DecodeMBps = Rate(result.FileBytes, decodeTimes.Min());
                result.DecodeMedianMBps = Rate(result.FileBytes, Statistics.Median(decodeTimes));
                IReadOnlyList<KvRecord>? records = content!.Records;

                // CRC-32 alone, over the bytes the records point into
                byte[]? whole = File.ReadAllBytes(g2Path);
                uint ours = 0, library = 0;
                var oursTimes = new double[Runs];
                var libraryTimes = new double[Runs];
                for (int i = 0; i < Runs; i++)
                {
                    oursTimes[i] = Best(() => ours = Crc32.Compute(whole!), 1);
                    libraryTimes[i] = Best(() => library = System.IO.Hashing.Crc32.HashToUInt32(whole!), 1);
                }
                if (ours != library) throw new InvalidOperationException($"CRC-32 differs: ours {ours:x8}, System.IO.Hashing {library:x8}");
                result.Crc32MBps = Rate(whole.Length, oursTimes.Min());
                result.Crc32LibraryMBps = Rate(whole.Length, libraryTimes.Min());
                result.Crc32LibraryBuild = typeof(System.IO.Hashing.Crc32).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName ?? "unknown";
                whole = null;
                log?.Invoke($"CRC-32: ours {result.Crc32MBps:F0} MB/s, System.IO.Hashing {result.Crc32LibraryMBps:F0} MB/s ({result.Crc32LibraryBuild} build; same buffer, interleaved runs)");

                // G2 encode
                result.EncodeFileMBps = Rate(result.FileBytes, Best(() => EncodeToFile(records!, MaceFileFormat.G2, g2Copy)));
                if (new FileInfo(g2Copy).Length != result.FileBytes) throw new InvalidOperationException("the re-encoded G2 file differs in size");
                result.EncodeNullMBps = Rate(result.FileBytes, Best(() => MaceFileCodec.Encode(records!, MaceFileFormat.G2, Stream.Null)));
                log?.Invoke($"G2 encode: to file {result.EncodeFileMBps:F0} MB/s, to Stream.Null {result.EncodeNullMBps:F0} MB/s");
                File.Delete(g2Copy);

                // G1
                double g1EncodeSeconds = Best(() => EncodeToFile(records!, MaceFileFormat.G1, g1Path));
                result.G1FileBytes = new FileInfo(g1Path).Length;
                result.G1EncodeMBps = Rate(result.G1FileBytes, g1EncodeSeconds);
                records = null;
                content = null;
                result.G1DecodeMBps = Rate(result.G1FileBytes, Best(() =>
                {
                    var c = MaceFileCodec.Decode(File.ReadAllBytes(g1Path), g1Path);
                    if (c.Format != MaceFileFormat.G1) throw new InvalidOperationException($"the G1 benchmark file decoded as {c.Format}");
                }));
                log?.Invoke($"G1 ({result.G1FileBytes / 1e6:F1} MB): decode {result.G1DecodeMBps:F0} MB/s, encode {result.G1EncodeMBps:F0} MB/s");
                log?.Invoke(result.ToString());
                return result;
            }
            finally
            {
                foreach (string p in new[] { g2Path, g2Copy, g1Path })
                {
                    try { File.Delete(p); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                }
            }
        }

        private static void MeasureDecodeMemory(string path, CodecBenchmarkResult result, Action<string>? log)
        {
            FullCollect();
            result.ManagedBeforeDecodeBytes = GC.GetTotalMemory(true);
            bool procfs = PeakMemory.Reset();
            result.BaselineRssBytes = procfs ? PeakMemory.Read("VmRSS:") : Process.GetCurrentProcess().WorkingSet64;
            var sw = Stopwatch.StartNew();
            var content = MaceFileCodec.Decode(File.ReadAllBytes(path), path);
            sw.Stop();
            result.DecodeColdMBps = Rate(result.FileBytes, sw.Elapsed.TotalSeconds);
            if (procfs)
            {
                result.PeakRssBytes = PeakMemory.Read("VmHWM:");
                result.MemoryMethod = "VmHWM";
            }
            else
            {
                using var self = Process.GetCurrentProcess();
                self.Refresh();
                result.PeakRssBytes = self.PeakWorkingSet64;
                result.MemoryMethod = "PeakWorkingSet64 (not reset; covers the whole process life)";
            }
            GC.KeepAlive(content);
            result.PeakToFileRatio = (double)result.PeakRssBytes / result.FileBytes;
            result.DecodeGrowthToFileRatio = (double)(result.PeakRssBytes - result.BaselineRssBytes) / result.FileBytes;
            log?.Invoke($"memory: baseline RSS {result.BaselineRssBytes / 1e6:F1} MB (managed {result.ManagedBeforeDecodeBytes / 1e6:F1} MB), " +
                $"peak during decode {result.PeakRssBytes / 1e6:F1} MB = {result.PeakToFileRatio:F2} x file; that first decode ran at {result.DecodeColdMBps:F0} MB/s");
        }

        private static void EncodeToFile(IReadOnlyList<KvRecord> records, MaceFileFormat format, string path)
        {
            using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            MaceFileCodec.Encode(records, format, fs);
        }

        private static double Best(Action action, int runs = Runs)
        {
            double best = double.MaxValue;
            for (int i = 0; i < runs; i++)
            {
                FullCollect();
                var sw = Stopwatch.StartNew();
                action();
                sw.Stop();
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
            }
            return best;
        }

        private static double Rate(long bytes, double seconds) => seconds <= 0 ? double.PositiveInfinity : bytes / 1e6 / seconds;

        private static void FullCollect()
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, true, true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, true, true);
        }

        /// <summary>
        /// A program cache as MACE v1.1.1 writes it, made on demand: platform and device keys, and per program a
        /// binary of 100-600 KB (a slice of one shared random buffer) plus its <c>program_hash_ </c> entry; keys sorted byte-wise.
        /// </summary>
        private sealed class SyntheticPrograms : IReadOnlyList<KvRecord>
        {
            private const int MinBinary = 100 * 1024, MaxBinary = 600 * 1024;
            private static readonly string[] Programs =
            {
                "conv_2d_1x1", "conv_2d_3x3", "conv_2d", "depthwise_conv2d", "pooling", "eltwise", "softmax",
                "concat_channel", "resize_bilinear_nocache", "in_out_buffer_to_image", "winograd_transform_2x2", "fully_connected",
            };
            private static readonly string[] Options =
            {
                "-DBIAS -DCMD_DATA_TYPE=f -DDATA_TYPE=float",
                "-DBIAS -DCMD_DATA_TYPE=h -DDATA_TYPE=half",
                "-DCMD_DATA_TYPE=f -DDATA_TYPE=float -DUSE_RELU",
                "-DBIAS -DCMD_DATA_TYPE=h -DDATA_TYPE=half -DUSE_RELU6 -DNON_UNIFORM_WORK_GROUP",
            };

            private readonly byte[] _shared;
            private readonly byte[][] _keys;
            private readonly int[] _valueOffset;   // into _shared, or -1 when _small holds the value
            private readonly int[] _valueLength;
            private readonly byte[]?[] _small;

            public SyntheticPrograms(long targetBytes)
            {
                var rng = new Random(20261121);
                _shared = new byte[MaxBinary + (1 << 20)];
                rng.NextBytes(_shared);
                var entries = new List<(byte[] Key, int Offset, int Length, byte[]? Small)>
                {
                    (Keys.Encode(Keys.PlatformInfo), -1, 0, Encoding.ASCII.GetBytes("QUALCOMM Snapdragon(TM), FULL_PROFILE, OpenCL 2.0 QUALCOMM build: commit #c455b9b, v1.1.1-0-g8c75d39")),
                    (Keys.Encode(Keys.DeviceName), -1, 0, Encoding.ASCII.GetBytes("QUALCOMM Adreno(TM)")),
                };
                long total = 0;
                for (int i = 0; total < targetBytes; i++)
                {
                    string program = Programs[i % Programs.Length];
                    string key = $"{program} {Options[(i / Programs.Length) % Options.Length]} -D{program}={SymbolObfuscation.Obfuscate(program)} -DBENCH_INDEX={i:D6}";
                    byte[] keyBytes = Keys.Encode(key);
                    // keep the last binary from overshooting the target by much, but never below the minimum
                    int length = (int)Math.Max(Math.Min(MinBinary + rng.Next(MaxBinary - MinBinary + 1), targetBytes - total), Math.Min(MinBinary, targetBytes));
                    int offset = rng.Next(_shared.Length - length + 1);
                    entries.Add((keyBytes, offset, length, null));
                    var hash = new byte[32];
                    rng.NextBytes(hash);
                    byte[] hex = Encoding.ASCII.GetBytes(string.Concat(hash.Select(b => b.ToString("x2", CultureInfo.InvariantCulture))));
                    entries.Add((Keys.Encode(Keys.ProgramHashPrefix + key), -1, 0, hex));
                    total += length + 2 * keyBytes.Length + hex.Length + 40;
                }
                entries.Sort((a, b) => Keys.CompareBytes(a.Key, b.Key));
                _keys = entries.Select(e => e.Key).ToArray();
                _valueOffset = entries.Select(e => e.Offset).ToArray();
                _valueLength = entries.Select(e => e.Length).ToArray();
                _small = entries.Select(e => e.Small).ToArray();
            }

            public int Count => _keys.Length;

            public KvRecord this[int index] => new KvRecord(_keys[index],
                _small[index] is byte[] small ? small : new ReadOnlyMemory<byte>(_shared, _valueOffset[index], _valueLength[index]));

            public IEnumerator<KvRecord> GetEnumerator()
            {
                for (int i = 0; i < Count; i++) yield return this[i];
            }

            IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
        }
    }
}
