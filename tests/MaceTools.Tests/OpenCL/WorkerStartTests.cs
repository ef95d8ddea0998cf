using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using MaceTools.Compilation;
using MaceTools.Tests.CompilationTests;
using MaceTools.Devices;
using MaceTools.OpenCL;
using MaceTools.Operations;
using MaceTools.Tests.Operations;

namespace MaceTools.Tests.OpenCLTests
{
    /// <summary>
    /// A worker that is missing, exits at once or never answers is a prompt error that names it, never a hang (an installed
    /// module without its worker used to leave New-MaceProgram waiting forever).
    /// </summary>
    public class WorkerStartTests
    {
        private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(30);

        private static T Within<T>(Func<T> run)
        {
            var task = Task.Run(run);
            Assert.True(task.Wait(Prompt), $"did not return within {Prompt.TotalSeconds} s");
            return task.Result;
        }

        private static MaceException StartFails(WorkerCommand worker, TimeSpan? startTimeout = null)
        {
            using var driver = new DriverProcess(worker);
            if (startTimeout != null) driver.StartTimeout = startTimeout.Value;
            var clock = Stopwatch.StartNew();
            var e = Within(() => Record.Exception(() => driver.Send(new WorkerMessage("open").Set("device", 0))));
            Assert.True(clock.Elapsed < Prompt, $"took {clock.Elapsed}");
            var mace = Assert.IsType<MaceException>(e);
            Assert.Equal(ErrorIds.WorkerFailed, mace.ErrorId);
            return mace;
        }

        [Fact]
        public void A_worker_variable_naming_no_file_is_an_immediate_error_naming_it()
        {
            using var tmp = new TempDir();
            string missing = tmp.File("no-such-dir/macetools");
            var worker = WorkerCommand.Locate(missing, tmp.Path);
            Assert.Contains(missing, worker.Problem);
            Assert.Contains(missing, StartFails(worker).Message);
        }

        [Fact]
        public void A_worker_path_that_does_not_exist_is_a_prompt_error_naming_it()
        {
            using var tmp = new TempDir();
            string missing = tmp.File("macetools");
            Assert.Contains(missing, StartFails(new WorkerCommand(missing)).Message);
        }

        [Fact]
        public void A_worker_that_exits_at_once_is_a_prompt_error_naming_it()
        {
            var e = StartFails(new WorkerCommand("/bin/sh", "-c", "echo 'not a worker' >&2; exit 3"));
            Assert.Contains("/bin/sh", e.Message);
            Assert.Contains("did not start", e.Message);
            Assert.Contains("not a worker", e.Message); // its stderr is shown
        }

        [Fact]
        public void A_worker_that_never_answers_is_killed_after_the_start_timeout()
        {
            var e = StartFails(new WorkerCommand("/bin/sh", "-c", "exec sleep 60"), TimeSpan.FromSeconds(1));
            Assert.Contains("no answer within 1 s", e.Message);
        }

        [Fact]
        public void The_module_folder_worker_is_found_and_run_by_the_dotnet_that_hosts_us()
        {
            using var tmp = new TempDir();
            Directory.CreateDirectory(tmp.File(WorkerCommand.ModuleFolder));
            File.WriteAllText(tmp.File(WorkerCommand.ModuleFolder + "/macetools.dll"), "");
            var worker = WorkerCommand.Locate(null, tmp.Path);
            Assert.Null(worker.Problem);
            Assert.Equal(tmp.File(WorkerCommand.ModuleFolder + "/macetools.dll"), Assert.Single(worker.PrefixArguments));
            Assert.Equal(WorkerCommand.FindMuxer(out _), worker.FileName);
            Assert.Equal("dotnet", Path.GetFileName(worker.FileName));
            Assert.True(File.Exists(worker.FileName));
        }

        /// <summary>The hang itself: each compile thread lost the job in hand when its worker failed to start.</summary>
        [Fact]
        public void New_program_with_a_worker_that_exits_at_once_reports_every_program_promptly()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            var keys = NewProgramTests.PoclV111Keys.Take(5).ToArray();
            var op = new NewProgramOperation
            {
                Kernels = keys,
                Devices = new List<MaceDevice> { Pocl.Device },
                Cache = new BuildCache(tmp.File("cache")),
                Worker = new WorkerCommand("/bin/true"),
                Parallelism = 2,
                OutFile = "x.bin",
            };
            Within(() => Record.Exception(() => op.Run(host)));
            Assert.Equal(keys.Length, host.Errors.Count(e => e.Message.Contains("/bin/true") && e.Message.Contains("did not start")));
            Assert.False(File.Exists(tmp.File("x.bin")));
        }

        [Fact]
        public void New_program_without_a_worker_is_one_error_naming_where_it_looked()
        {
            using var tmp = new TempDir();
            var host = new RecordingHost(tmp.Path);
            var op = new NewProgramOperation
            {
                Kernels = NewProgramTests.PoclV111Keys.Take(3).ToArray(),
                Devices = new List<MaceDevice> { Pocl.Device },
                Cache = new BuildCache(tmp.File("cache")),
                Worker = WorkerCommand.Locate(tmp.File("gone/macetools"), tmp.Path),
                OutFile = "x.bin",
            };
            var e = Within(() => Record.Exception(() => op.Run(host)));
            var all = host.Errors.Select(x => x.Message).Concat(e == null ? new string[0] : new[] { e.Message }).ToList();
            Assert.Contains(all, m => m.Contains(tmp.File("gone/macetools")) && m.Contains("cannot"));
            Assert.False(File.Exists(tmp.File("x.bin")));
        }
    }
}
