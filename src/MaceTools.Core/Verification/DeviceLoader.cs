using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MaceTools.Devices;
using MaceTools.Formats;
using MaceTools.OpenCL;
using MaceTools.Operations;

namespace MaceTools.Verification
{
    public enum EntryLoadStatus
    {
        /// <summary>clCreateProgramWithBinary and clBuildProgram succeeded and the key's kernel is in the program.</summary>
        Loaded,
        /// <summary>The driver refused the binary with an error code (CL_INVALID_BINARY …).</summary>
        Rejected,
        /// <summary>The program built but lacks the kernel its key names: MACE's clCreateKernel would fail.</summary>
        KernelMissing,
        /// <summary>The driver killed the worker process (abort, segfault).</summary>
        Crashed,
        /// <summary>The driver did not return.</summary>
        Hung,
    }

    /// <summary>Whether one program entry's binary loads on a device, as MACE loads it.</summary>
    public sealed class MaceEntryLoad
    {
        public string Key { get; internal set; } = "";
        public string Program => ProgramKey.Parse(Key).Program;
        public EntryLoadStatus Status { get; internal set; }
        /// <summary>The OpenCL status name, or the signal for a crash (SIGSEGV, SIGABRT).</summary>
        public string StatusName { get; internal set; } = "";
        /// <summary>Where it stopped: create, build, kernel, or ok.</summary>
        public string Stage { get; internal set; } = "";
        public string Message { get; internal set; } = "";
        public double CreateMs { get; internal set; }
        public double BuildMs { get; internal set; }
        /// <summary>clReleaseProgram after the check (drivers clean up there; pocl removes the unpacked binary).</summary>
        public double ReleaseMs { get; internal set; }
        /// <summary>The whole load as the caller sees it (worker round trip included); compare with CreateMs + BuildMs.</summary>
        public double WallMs { get; internal set; }
        public string[] Kernels { get; internal set; } = new string[0];

        /// <summary>What Format-List shows for MaceTestResult.Loads: the entry and how it loaded, not the type name.</summary>
        public override string ToString() => $"{Program}: {Status}{(StatusName.Length > 0 ? " " + StatusName : "")}";
    }

    /// <summary>
    /// Loads every program entry of a file on a device the way MACE's cache path does (create from binary, build with
    /// the key's options), each in a driver worker so a crashing driver costs one worker, never the caller.
    /// </summary>
    public static class DeviceLoader
    {
        public static List<MaceEntryLoad> LoadAll(MaceProgram file, MaceDevice device, WorkerCommand worker, IOperationHost host)
        {
            var programs = file.Entries.Where(e => e.Kind == MaceEntryKind.Program).ToList();
            var loads = new List<MaceEntryLoad>();
            // The worker reads the entries from a copy of the exact bytes this process decoded, checked by their hash.
            using var scratch = new ScratchDirectory("load");
            string copy = scratch.File("file.bin");
            File.WriteAllBytes(copy, file.CopyBytes());
            {
                // pocl finds a damaged binary "already built" in its cache when a good twin was loaded before, so the
                // loads run with the driver's kernel cache off: every entry is judged by its own bytes.
                using var driver = new DriverProcess(worker, new Dictionary<string, string> { ["POCL_KERNEL_CACHE"] = "0" });
                // Start the worker, open the device and decode the file once, outside the per-entry timings.
                var opened = driver.Send(new WorkerMessage("open").Set("device", device.Index).Set("name", device.Name).Set("file", copy).Set("sha256", file.Sha256));
                if (opened.Op != "result" || opened["stage"] == "hash")
                    throw new MaceException(ErrorIds.WorkerFailed, MaceErrorCategory.InvalidOperation,
                        $"the driver worker could not open {device.Name} for {file.Path}: {opened["error"] ?? opened["log"] ?? opened.Op}", device.Name);
                // Requests are pipelined; after a crash the rest go to a fresh worker (and a fresh driver cache).
                int next = 0;
                while (next < programs.Count)
                {
                    var batch = programs.Skip(next).Select(e => new WorkerMessage("load").Set("device", device.Index).Set("name", device.Name)
                        .Set("file", copy).Set("sha256", file.Sha256).Set("key", e.Key).Set("options", ProgramKey.CompilerFlags(e.Key))).ToList();
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    var stamps = new List<double>();
                    int offset = next;
                    var replies = driver.Pipeline(batch, (i, _) =>
                    {
                        stamps.Add(clock.Elapsed.TotalMilliseconds);
                        host.WriteProgress(new OperationProgress(3, $"Loading {file.Name} on {device.Name}", programs[offset + i].Key, 100 * (offset + i + 1) / programs.Count));
                    }, host.CancellationToken);
                    stamps.Add(clock.Elapsed.TotalMilliseconds);
                    double last = 0;
                    for (int i = 0; i < replies.Count; i++)
                    {
                        var reply = replies[i];
                        double now = stamps[i];
                        var load = Interpret(programs[next], reply, device);
                        load.WallMs = now - last;
                        last = now;
                        loads.Add(load);
                        next++;
                    }
                }
                host.WriteProgress(new OperationProgress(3, $"Loading {file.Name} on {device.Name}", "done", 100, completed: true));
            }
            return loads;
        }

        private static MaceEntryLoad Interpret(MaceProgramEntry entry, WorkerMessage reply, MaceDevice device)
        {
            var load = new MaceEntryLoad { Key = entry.Key };
            switch (reply.Op)
            {
                case "crashed":
                    bool hung = reply["hung"] != null;
                    load.Status = hung ? EntryLoadStatus.Hung : EntryLoadStatus.Crashed;
                    load.StatusName = hung ? "hung" : reply["signal"] ?? "unknown";
                    load.Stage = "driver";
                    load.Message = hung ? reply["log"] ?? "" : $"the driver killed the worker ({load.StatusName}, exit {reply["exitCode"]}) loading this binary" + Tail(reply["log"]);
                    return load;
                case "error":
                    throw new MaceException(ErrorIds.WorkerFailed, MaceErrorCategory.InvalidOperation, $"the driver worker failed on '{entry.Key}': {reply["error"]}", device.Name);
            }
            load.StatusName = reply["statusName"] ?? "";
            load.Stage = reply["stage"] ?? "";
            load.Message = reply["log"] ?? "";
            load.CreateMs = reply["createMs"] == null ? 0 : reply.GetDouble("createMs");
            load.BuildMs = reply["buildMs"] == null ? 0 : reply.GetDouble("buildMs");
            load.ReleaseMs = reply["releaseMs"] == null ? 0 : reply.GetDouble("releaseMs");
            if (reply.GetInt("status") != ClErrors.Success)
            {
                load.Status = EntryLoadStatus.Rejected;
                return load;
            }
            load.Kernels = (reply["kernels"] ?? "").Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries);
            var kernel = ProgramKey.Parse(entry.Key).Kernel;
            if (kernel != null && !load.Kernels.Contains(kernel.Symbol))
            {
                load.Status = EntryLoadStatus.KernelMissing;
                load.Stage = "kernel";
                load.Message = $"the program has no kernel '{kernel.Symbol}' ({kernel.Name}); it has {string.Join(", ", load.Kernels)}";
                return load;
            }
            load.Status = EntryLoadStatus.Loaded;
            load.Stage = "ok";
            return load;
        }

        private static string Tail(string? log) => string.IsNullOrWhiteSpace(log) ? "" : ": " + log!.Trim().Split('\n').Last();

        /// <summary>Findings for entries that do not load, worded as the symptom a MACE user would see.</summary>
        public static IEnumerable<MaceFinding> Findings(IEnumerable<MaceEntryLoad> loads, MaceDevice device)
        {
            foreach (var l in loads)
            {
                switch (l.Status)
                {
                    case EntryLoadStatus.Crashed:
                        yield return new MaceFinding(FindingSeverity.Error, "EntryCrashesDriver",
                            $"loading this binary crashes the driver on {device.Name} ({l.StatusName}); MACE would die with it (as in XiaoMi/mace#245)", MaceSymptom.CorruptedFile, l.Key);
                        break;
                    case EntryLoadStatus.Hung:
                        yield return new MaceFinding(FindingSeverity.Error, "EntryHangsDriver", $"the driver on {device.Name} did not return loading this binary", MaceSymptom.CorruptedFile, l.Key);
                        break;
                    case EntryLoadStatus.Rejected:
                        yield return new MaceFinding(FindingSeverity.Error, "EntryDoesNotLoad",
                            $"{device.Name} refuses the binary at {l.Stage}: {l.StatusName}; MACE logs \"Build program {l.Key} from Cache failed\" and rebuilds it from source", MaceSymptom.WrongDevice, l.Key);
                        break;
                    case EntryLoadStatus.KernelMissing:
                        yield return new MaceFinding(FindingSeverity.Error, "KernelMissing", l.Message + "; MACE's kernel creation would fail", MaceSymptom.OutOfResources, l.Key);
                        break;
                }
            }
        }
    }
}
