using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using MaceTools.Conversion;
using MaceTools.Kernels;
using MaceTools.OpenCL;
using MaceTools.Operations;
using MaceTools.Tests.ConversionTests;
using MaceTools.Tests.Kernels;
using MaceTools.Tests.OpenCLTests;
using MaceTools.Tests.Operations;
using MaceTools.Tuning;
using Xunit;

namespace MaceTools.Tests.TuningTests
{
    /// <summary>Tuning launches run in a worker process (crash isolation): what travels, what comes back, what survives a dead worker.</summary>
    public class TuningWorkerTests : IClassFixture<RunnerFixture>
    {
        private readonly RunnerFixture _f;

        public TuningWorkerTests(RunnerFixture f) => _f = f;

        private static List<KernelLaunch> DemoLaunches(KernelTarget target) =>
            OnnxConverter.Convert(MaceTools.Models.Onnx.OnnxModel.Load(OnnxConverterTests.Example("ch_ppocr_mobile_v2.0_cls_infer.onnx")), "cls",
                new[] { new ModelInput("x", new[] { 1, 3, 48, 192 }) }, null, new ConversionOptions(target)).Kernels.Select(k => k.Launch).ToList();

        [Fact]
        public void Every_launch_of_the_demo_model_travels_to_the_worker_unchanged()
        {
            var uniform = DemoLaunches(KernelTarget.For(Pocl.Device));
            // Adreno with non-uniform work-groups and plain symbols: the global_size_dim arguments are absent, names are not obfuscated.
            var adreno = DemoLaunches(new KernelTarget(MaceVersion.Parse("v1.0.4"), nonUniformWorkGroup: true, adreno: true, obfuscate: false));
            Assert.Contains(uniform, l => l.Arguments.Any(a => a.Kind == KernelArgKind.Float));
            Assert.Contains(uniform, l => l.Arguments.Any(a => a.Kind == KernelArgKind.Buffer));
            foreach (var launch in uniform.Concat(adreno))
            {
                var copy = TuningMessages.ReadLaunch(WorkerMessage.Parse(TuningMessages.Launch(launch).Format()));
                Assert.Equal(launch.ToString(), copy.ToString());
                Assert.Equal(launch.Options, copy.Options);
                Assert.Equal(launch.CompilerFlags, copy.CompilerFlags);
                Assert.Equal(launch.Symbol, copy.Symbol);
                Assert.Equal(launch.TuningKey, copy.TuningKey);
                Assert.Equal(launch.TuningFileKey, copy.TuningFileKey);
                Assert.Equal(launch.Op, copy.Op);
                Assert.Equal(launch.Flops, copy.Flops);
                Assert.Equal((launch.Target.Version.Text, launch.Target.NonUniformWorkGroup, launch.Target.Adreno, launch.Target.Obfuscate),
                    (copy.Target.Version.Text, copy.Target.NonUniformWorkGroup, copy.Target.Adreno, copy.Target.Obfuscate));
                Assert.Equal(launch.Arguments.Select(Describe), copy.Arguments.Select(Describe));
                Assert.Equal(launch.DefaultLocalSize(256, 32768, 4), copy.DefaultLocalSize(256, 32768, 4));
            }
        }

        private static string Describe(KernelArg a) => $"{a} {a.FloatValue:R} {a.IntValue} {a.LocalBytesPerItem}";

        private KernelLaunch Conv3x3()
        {
            int[] input = { 1, 10, 12, 8 }, filter = { 8, 8, 3, 3 };
            return KernelOps.Conv2D(input, filter, input, new[] { 1, 1 }, new[] { 1, 1 }, new[] { 1, 1 }, true, new Activation(ActivationKind.Relu), _f.Target);
        }

        [Fact]
        public void A_result_from_the_worker_equals_the_in_process_tuners_where_timing_does_not_decide()
        {
            var launch = Conv3x3();
            var here = KernelTuner.Tune(_f.Runner, launch, TuningStrategy.Mace, limitKernelTime: true);
            MaceTuningResult there;
            using (var worker = new TuningWorker(Pocl.Device, Pocl.Worker))
                there = worker.Tune(launch, TuningStrategy.Mace, true, 1, CancellationToken.None);
            Assert.Equal((here.Device, here.Strategy, here.Kernel, here.TuningKey, here.FileKey), (there.Device, there.Strategy, there.Kernel, there.TuningKey, there.FileKey));
            Assert.Equal(here.GlobalSize, there.GlobalSize);
            Assert.Equal(here.DefaultLocalSize, there.DefaultLocalSize);
            // MACE's list on a tiny kernel: every candidate a warm-up and ten runs, none refused, on either side
            Assert.Equal((here.Tried, here.Refused, here.Trials), (there.Tried, there.Refused, there.Trials));
            long kwg = _f.Runner.Kernel(launch).WorkGroupSize;
            Assert.Contains(TuningCandidates.Mace3D(launch.GlobalSize, kwg), c => c.Take(3).SequenceEqual(there.LocalSize));
            long block = KernelTuner.Block(3, launch.GlobalSize, there.LocalSize, there.Micros, true, launch.Target.NonUniformWorkGroup, launch.Target.Version);
            Assert.Equal(there.LocalSize.Append(block).Select(v => (uint)v), there.Parameters);
            Assert.True(there.Micros > 0 && there.DefaultMicros > 0);

            // and every field survives the reply line exactly
            var copy = TuningMessages.ReadResult(WorkerMessage.Parse(TuningMessages.Result(here).Format()));
            foreach (var p in typeof(MaceTuningResult).GetProperties().Where(p => p.Name != nameof(MaceTuningResult.SharedBy)))
                Assert.Equal(JsonSerializer.Serialize(p.GetValue(here)), JsonSerializer.Serialize(p.GetValue(copy)));
        }

        [Fact]
        public void A_key_the_driver_cannot_build_is_that_keys_error_and_the_worker_carries_on()
        {
            var good = Conv3x3();
            var broken = TuningMessages.Launch(good);
            broken["program"] = "no_such_program";
            using var worker = new TuningWorker(Pocl.Device, Pocl.Worker);
            var e = Assert.Throws<MaceException>(() => worker.Tune(TuningMessages.ReadLaunch(broken), TuningStrategy.Auto, false, 1, CancellationToken.None));
            Assert.IsNotType<TuningWorkerCrashedException>(e);
            Assert.Equal(ErrorIds.Unsupported, e.ErrorId);
            Assert.Contains("no_such_program", e.Message);
            Assert.Equal(good.TuningKey, worker.Tune(good, TuningStrategy.Auto, false, 1, CancellationToken.None).TuningKey);
        }

        /// <summary>The real worker started through sh, which writes its pid first and then becomes the worker (exec).</summary>
        private static WorkerCommand Recorded(string record)
        {
            var real = Pocl.Worker;
            string exec = string.Join(" ", new[] { real.FileName }.Concat(real.PrefixArguments).Select(a => "'" + a + "'"));
            return new WorkerCommand("/bin/sh", "-c", $"echo $$ > '{record}'; exec {exec} \"$0\"");
        }

        private static int ReadPid(string record)
        {
            for (int i = 0; i < 600 && !(File.Exists(record) && File.ReadAllText(record).EndsWith("\n")); i++) Thread.Sleep(50);
            return int.Parse(File.ReadAllText(record).Trim());
        }

        [Fact]
        public void The_worker_leaves_the_callers_process_group_and_lives_through_SIGINT()
        {
            using var tmp = new TempDir();
            using var driver = new DriverProcess(Recorded(tmp.File("worker.pid")));
            Assert.Equal("0", driver.Send(new WorkerMessage("open").Set("device", Pocl.Device.Index))["status"]);
            int pid = ReadPid(tmp.File("worker.pid"));
            // /proc/PID/stat: pid (comm) state ppid pgrp session …
            string[] stat = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Trim().Split(' ');
            Assert.Equal(pid.ToString(), stat[2]); // its own process group
            Assert.Equal(pid.ToString(), stat[3]); // and session: a terminal's Ctrl+C does not reach it
            Process.Start("kill", $"-INT {pid}")!.WaitForExit();
            Thread.Sleep(300);
            Assert.Equal("0", driver.Send(new WorkerMessage("open").Set("device", Pocl.Device.Index))["status"]);
            Assert.False(Process.GetProcessById(pid).HasExited);
        }

        [Fact]
        public void A_worker_killed_mid_tune_is_an_error_naming_device_and_kernel_and_keeps_the_keys_tuned_before()
        {
            using var tmp = new TempDir();
            string record = tmp.File("worker.pid");
            var host = new RecordingHost(tmp.Path);
            var killHost = new ObservingHost(host, result =>
            {
                // kill -9 as the second result arrives, and wait for the death, before the third key is sent: the worker
                // died between requests, which the third key's request reports instead of restarting the worker silently.
                // (A delayed kill raced the run: with pocl's cache warm the other 116 keys can finish within the delay.)
                if (host.Of<MaceTuningResult>().Count() == 2)
                    using (var worker = Process.GetProcessById(ReadPid(record)))
                    {
                        worker.Kill();
                        worker.WaitForExit(10000);
                    }
            });
            var op = new OptimizeProgramOperation
            {
                Config = OnnxConverterTests.Example("mace.yml"), Devices = { Pocl.Device }, Destination = tmp.Path, ModelCache = tmp.File("models"), Worker = Recorded(record),
            };
            op.Run(killHost); // the calling process lives on, and the operation ends normally with an error
            var results = host.Of<MaceTuningResult>().ToList();
            var error = Assert.Single(host.Errors);
            Assert.Equal(ErrorIds.WorkerFailed, error.ErrorId);
            Assert.Contains(Pocl.Device.Name, error.Message);
            Assert.Contains("SIGKILL", error.Message);
            Assert.Contains($"partial: {results.Count} of", error.Message);
            string key = Assert.IsType<string>(error.Target);
            Assert.Contains(key, error.Message);
            Assert.DoesNotContain(results, r => r.TuningKey == key);
            // each result came as its key was done, right after the progress that named it
            var events = killHost.Events;
            Assert.All(results, r =>
            {
                int at = events.IndexOf("result " + r.TuningKey);
                Assert.StartsWith("progress ", events[at - 1]);
                Assert.Contains(" " + r.TuningKey + " [", events[at - 1]);
            });

            string partial = Assert.Single(Directory.GetFiles(tmp.Path, "*" + TunedParameterFile.PartialSuffix));
            Assert.Empty(Directory.GetFiles(tmp.Path, "*.bin"));
            var stored = MaceProgram.Load(partial).Entries.Where(e => e.Kind == MaceEntryKind.TuningParameter).ToDictionary(e => e.Key, e => e.Words!);
            Assert.True(results.Count >= 2);
            Assert.Equal(results.Select(r => r.FileKey).OrderBy(k => k, StringComparer.Ordinal), stored.Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.All(results, r => Assert.Equal(r.Parameters, stored[r.FileKey]));
            using (var json = JsonDocument.Parse(File.ReadAllText(partial + TunedParameterFile.SidecarSuffix)))
            {
                Assert.False(json.RootElement.GetProperty("complete").GetBoolean());
                Assert.Equal(results.Count, json.RootElement.GetProperty("kernels").GetArrayLength());
            }
            Assert.Empty(Directory.GetFiles(tmp.Path, "*.tmp", SearchOption.AllDirectories));
        }

        [Fact]
        public void The_command_line_stopped_by_SIGINT_to_its_process_group_writes_the_partial_file_and_exits_3()
        {
            using var tmp = new TempDir();
            var cli = Pocl.Worker; // the macetools command line
            // setsid: macetools leads its own process group, as a terminal's foreground job does
            var psi = new ProcessStartInfo("setsid") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in new[] { cli.FileName }.Concat(cli.PrefixArguments).Concat(new[] { "tune", "--config", OnnxConverterTests.Example("mace.yml"), "--device", Pocl.Device.Index.ToString(),
                "--dest", tmp.Path, "--model-cache", tmp.File("models") })) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stderr = new System.Text.StringBuilder();
            var firstResult = new ManualResetEventSlim();
            p.ErrorDataReceived += (_, e) =>
            {
                if (e.Data == null) return;
                lock (stderr) stderr.AppendLine(e.Data);
                if (e.Data.Contains(" launches") && e.Data.Contains(" µs")) firstResult.Set();
            };
            p.BeginErrorReadLine();
            string stdout = "";
            var reader = new Thread(() => stdout = p.StandardOutput.ReadToEnd());
            reader.Start();
            Assert.True(firstResult.Wait(TimeSpan.FromMinutes(3)), "no result within 3 minutes");
            Process.Start("kill", $"-INT -- -{p.Id}")!.WaitForExit();
            var watch = Stopwatch.StartNew();
            Assert.True(p.WaitForExit(60_000));
            p.WaitForExit();
            reader.Join();
            string err;
            lock (stderr) err = stderr.ToString();
            Assert.True(p.ExitCode == 3, $"exit {p.ExitCode} after {watch.ElapsedMilliseconds} ms:\n{err}");
            Assert.Contains("macetools: error: cancelled [Cancelled]", err);
            Assert.DoesNotContain("tuning worker stopped", err); // the command stopped the run, not a worker killed by the signal
            string partial = Assert.Single(Directory.GetFiles(tmp.Path, "*" + TunedParameterFile.PartialSuffix));
            int keys = MaceProgram.Load(partial).Entries.Count(e => e.Kind == MaceEntryKind.TuningParameter);
            var counts = System.Text.RegularExpressions.Regex.Match(err, @"partial: (\d+) of (\d+) keys");
            Assert.Equal(keys, int.Parse(counts.Groups[1].Value));
            Assert.True(keys < int.Parse(counts.Groups[2].Value), counts.Value);
            using (var json = JsonDocument.Parse(File.ReadAllText(partial + TunedParameterFile.SidecarSuffix)))
                Assert.False(json.RootElement.GetProperty("complete").GetBoolean());
            Assert.Empty(Directory.GetFiles(tmp.Path, "*.bin"));
            Assert.Empty(Directory.GetFiles(tmp.Path, "*.tmp", SearchOption.AllDirectories));
        }

        /// <summary>A recording host that calls back on every result, on the operation's thread, as the pipeline would see it.</summary>
        private sealed class ObservingHost : IOperationHost
        {
            private readonly RecordingHost _inner;
            private readonly Action<MaceTuningResult> _onResult;

            public ObservingHost(RecordingHost inner, Action<MaceTuningResult> onResult)
            {
                _inner = inner;
                _onResult = onResult;
            }

            /// <summary>Progress and results in the order they came.</summary>
            public List<string> Events { get; } = new List<string>();

            public void WriteObject(object item)
            {
                _inner.WriteObject(item);
                if (!(item is MaceTuningResult r)) return;
                Events.Add("result " + r.TuningKey);
                _onResult(r);
            }
            public void WriteError(MaceException error) => _inner.WriteError(error);
            public void WriteWarning(string message) => _inner.WriteWarning(message);
            public void WriteVerbose(string message) => _inner.WriteVerbose(message);
            public void WriteDebug(string message) => _inner.WriteDebug(message);
            public void WriteProgress(OperationProgress progress)
            {
                _inner.WriteProgress(progress);
                Events.Add("progress " + progress.Status);
            }
            public bool ShouldProcess(string target, string action) => _inner.ShouldProcess(target, action);
            public CancellationToken CancellationToken => _inner.CancellationToken;
            public string CurrentDirectory => _inner.CurrentDirectory;
        }
    }
}
