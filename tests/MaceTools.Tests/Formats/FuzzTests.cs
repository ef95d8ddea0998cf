using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using MaceTools.Formats;
using Xunit.Abstractions;

namespace MaceTools.Tests.FormatsTests
{
    public class FuzzTests
    {
        private readonly ITestOutputHelper _output;

        public FuzzTests(ITestOutputHelper output) => _output = output;

        /// <summary>The three real files plus each converted to the other generation (G1 &lt;-&gt; G2, T2 &lt;-&gt; T1).</summary>
        internal static List<byte[]> Seeds()
        {
            var seeds = new List<byte[]>();
            foreach (string name in new[] { Fixtures.Adreno, Fixtures.Mali, Fixtures.PoclTuning })
            {
                byte[] bytes = Fixtures.Bytes(name);
                var c = MaceFileCodec.Decode(bytes, name);
                var other = c.Format switch
                {
                    MaceFileFormat.G1 => MaceFileFormat.G2,
                    MaceFileFormat.G2 => MaceFileFormat.G1,
                    MaceFileFormat.T1 => MaceFileFormat.T2,
                    _ => MaceFileFormat.T1,
                };
                seeds.Add(bytes);
                seeds.Add(MaceFileCodec.EncodeToArray(c.Records, other));
            }
            return seeds;
        }

        [Fact]
        public void Decode_Survives100000MutatedFiles()
        {
            var seeds = Seeds();
            var sw = Stopwatch.StartNew();
            var report = CodecFuzzer.Run(seeds, 100_000, seed: 20261121, degreeOfParallelism: 2);
            sw.Stop();
            _output.WriteLine(report.ToString());
            _output.WriteLine("mutations: " + string.Join(", ", report.MutationCounts.Select(k => $"{k.Key}={k.Value}")));
            _output.WriteLine($"wall time {sw.Elapsed.TotalSeconds:F1} s");
            foreach (var f in report.Failures.Take(20)) _output.WriteLine(f.Description);

            Assert.Equal(100_000, report.Cases);
            Assert.True(report.FailureCount == 0,
                $"{report.FailureCount} failing cases, first: " + string.Join(Environment.NewLine, report.Failures.Take(10).Select(f => f.Description)));
            Assert.Equal(report.Cases, report.Accepted + report.Rejected);
            Assert.True(report.Accepted > 0, "no mutated file decoded");
            Assert.True(report.Rejected > 0, "no mutated file was rejected");
            Assert.True(report.CrcFixedCases > report.Cases / 10, $"only {report.CrcFixedCases} cases had their CRC recomputed");
            Assert.Contains(ErrorIds.Truncated, report.ErrorIdCounts.Keys);
            Assert.Contains(ErrorIds.BadCrc, report.ErrorIdCounts.Keys);
            Assert.True(report.ErrorIdCounts.ContainsKey(ErrorIds.NegativeLength) || report.ErrorIdCounts.ContainsKey(ErrorIds.NegativeCount),
                "neither NegativeLength nor NegativeCount was seen: " + string.Join(", ", report.ErrorIdCounts.Keys));
            foreach (FuzzMutation m in Enum.GetValues(typeof(FuzzMutation)))
                Assert.True(report.MutationCounts.TryGetValue(m, out int n) && n > 0, $"mutation {m} never applied");
        }

        [Fact]
        public void Run_IsDeterministicWhateverTheParallelism()
        {
            var seeds = Seeds();
            var one = CodecFuzzer.Run(seeds, 3000, seed: 5, degreeOfParallelism: 1);
            var three = CodecFuzzer.Run(seeds, 3000, seed: 5, degreeOfParallelism: 3);
            var other = CodecFuzzer.Run(seeds, 3000, seed: 6, degreeOfParallelism: 2);

            Assert.Equal(one.Accepted, three.Accepted);
            Assert.Equal(one.Rejected, three.Rejected);
            Assert.Equal(one.CrcFixedCases, three.CrcFixedCases);
            Assert.Equal(one.ErrorIdCounts.OrderBy(k => k.Key), three.ErrorIdCounts.OrderBy(k => k.Key));
            Assert.Equal(one.MutationCounts.OrderBy(k => k.Key), three.MutationCounts.OrderBy(k => k.Key));
            Assert.NotEqual(one.MutationCounts.OrderBy(k => k.Key), other.MutationCounts.OrderBy(k => k.Key));
        }

        [Fact]
        public void Run_ToleratesSeedsWithoutStructure()
        {
            // An unparseable seed still fuzzes (no structure known) and never breaks the run.
            var report = CodecFuzzer.Run(new[] { new byte[] { 0x0A }, Array.Empty<byte>() }, 200, seed: 1, degreeOfParallelism: 2);
            Assert.Equal(200, report.Cases);
            Assert.Equal(0, report.FailureCount);
            Assert.Equal(200, report.Rejected + report.Accepted);
        }
    }

    public class CodecBenchmarkTests
    {
        private readonly ITestOutputHelper _output;

        public CodecBenchmarkTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void Run_8MB_ProducesFiguresAndCleansUp()
        {
            string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "macetools-bench-test-" + Guid.NewGuid().ToString("N"));
            try
            {
                var r = CodecBenchmark.Run(8L << 20, dir, _output.WriteLine);
                _output.WriteLine(r.ToString());

                Assert.InRange(r.FileBytes, 8L << 20, (8L << 20) + (1L << 20));
                Assert.True(r.Entries > 2);
                Assert.True(r.G1FileBytes > 0);
                foreach (double v in new[] { r.DecodeMBps, r.DecodeMedianMBps, r.DecodeColdMBps, r.EncodeFileMBps, r.EncodeNullMBps, r.G1DecodeMBps, r.G1EncodeMBps, r.Crc32MBps, r.Crc32LibraryMBps, r.PeakToFileRatio })
                    Assert.True(v > 0 && !double.IsNaN(v), r.ToString());
                Assert.True(r.PeakRssBytes > 0 && r.BaselineRssBytes > 0, r.ToString());
                // this test process is a net10.0 app: it gets the package's vectorised build, not the module's netstandard2.0 one
                Assert.StartsWith(".NETCoreApp", r.Crc32LibraryBuild);
                Assert.Empty(System.IO.Directory.GetFileSystemEntries(dir));
            }
            finally
            {
                if (System.IO.Directory.Exists(dir)) System.IO.Directory.Delete(dir, true);
            }
        }
    }
}
