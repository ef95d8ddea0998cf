using System;
using System.Collections.Generic;
using System.Linq;
using MaceTools.Remote;

namespace MaceTools.Operations
{
    /// <summary>
    /// Compare-MaceProgram / macetools program drift: after the app ran, reads MACE's own cache file from each device of an
    /// inventory and says whether MACE kept the programs of the file we published or rebuilt them (<see cref="DriftCheck"/>).
    /// One <see cref="MaceDriftResult"/> per target; a target that cannot be read is a non-terminating error naming it.
    /// </summary>
    /// <remarks>Each device is compared with our file named for it (as Publish picks), or with the only one given.</remarks>
    public sealed class CompareProgramOperation : InventoryFileOperation
    {
        /// <summary>The device path of MACE's cache file; null: <see cref="DriftCheck.DefaultDeviceFile"/> of each device.</summary>
        public string? RemotePath { get; set; }

        public void Run(IOperationHost host)
        {
            var files = LoadFiles(host).Where(f => f.Kind == MaceFileKind.Programs).GroupBy(f => f.Path).Select(g => g.First()).ToList();
            if (files.Count == 0)
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, "no program file to compare (tuned-parameter files have no programs)", null);
            if (RemotePath != null && !RemotePath.StartsWith("/", StringComparison.Ordinal))
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, $"the remote path '{RemotePath}' is not an absolute device path", RemotePath);
            var devices = SelectDevices(host);

            foreach (var device in devices)
            {
                host.CancellationToken.ThrowIfCancellationRequested();
                string remotePath = RemotePath ?? DriftCheck.DefaultDeviceFile(device);
                host.WriteProgress(new OperationProgress(0, "Comparing with the devices' MACE cache", $"{device.Name}:{remotePath}"));
                try
                {
                    var ours = Choose(device, files, host);
                    using var remote = Open(device);
                    var result = DriftCheck.Check(remote, ours, remotePath);
                    host.WriteVerbose(result.ToString());
                    host.WriteObject(result);
                }
                catch (MaceException e)
                {
                    // Transport errors already name the device; the path is added so the message says which file could not be read.
                    string prefix = e.Message.StartsWith(device.Name, StringComparison.Ordinal) ? "" : device.Name + ": ";
                    host.WriteError(new MaceException(e.ErrorId, e.Category, $"{prefix}{e.Message} (comparing with {remotePath})", device.Name, e));
                }
            }
            host.WriteProgress(new OperationProgress(0, "Comparing with the devices' MACE cache", "done", 100, completed: true));
        }

        /// <summary>The file named for the device (MACE's file names, as Publish reads them); with one file given, that one, whatever its name.</summary>
        private MaceProgram Choose(InventoryDevice device, List<MaceProgram> files, IOperationHost host)
        {
            if (FindFiles)
            {
                files = files.Where(f => PublishProgramOperation.IsFor(f.Path, device)).ToList();
                if (files.Count == 0) throw new MaceException(ErrorIds.NoFileForDevice, MaceErrorCategory.ObjectNotFound, LookedFor(device, host), device.Name);
            }
            // Only reading: a single file is compared even when its name is for no device (its identity keys are compared anyway).
            if (files.Count == 1) return files[0];
            var matching = files.Where(f => PublishProgramOperation.IsFor(f.Path, device)).ToList();
            if (matching.Count == 1) return matching[0];
            throw new MaceException(ErrorIds.IdentityMismatch, MaceErrorCategory.InvalidArgument, matching.Count == 0
                ? $"{device.Name}: none of the program files is named for it ({device.DeviceName}/{string.Join(",", device.TargetSocs)}): {string.Join(", ", files.Select(f => f.Name))}"
                : $"{device.Name}: several program files are named for it: {string.Join(", ", matching.Select(f => f.Path))}; give one", device.Name);
        }
    }
}
