using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MaceTools.Remote;

namespace MaceTools.Operations
{
    /// <summary>
    /// What the operations that take our files to an inventory's devices share (Publish, Compare): the local files, the
    /// inventory and its selection by name and tag, and how a device's files are reached.
    /// </summary>
    public abstract class InventoryFileOperation
    {
        public IList<string> Paths { get; set; } = new List<string>();
        public bool LiteralPaths { get; set; }
        /// <summary>The devices.yml; empty: the default one (<see cref="MaceInventory.Locate"/>).</summary>
        public string Inventory { get; set; } = "";
        /// <summary>Device names (wildcards); empty means all.</summary>
        public IList<string> Targets { get; set; } = new List<string>();
        /// <summary>Only devices carrying one of these tags; empty means any.</summary>
        public IList<string> Tags { get; set; } = new List<string>();
        /// <summary>The adb client for adb devices (a private server in tests); null uses the default server.</summary>
        public AdbClient? Adb { get; set; }
        /// <summary>Makes the transport for a device; null uses <see cref="ShellRemoteFiles.For"/>.</summary>
        public Func<InventoryDevice, IRemoteFiles>? Connect { get; set; }

        /// <summary>
        /// No file was given (none named, none piped): use the MACE-named files of the current folder
        /// (<c>&lt;library&gt;_compiled_opencl_kernel.&lt;device&gt;.&lt;soc&gt;.bin</c>, <c>…_tuned_opencl_parameter…</c>), each
        /// device getting those whose name says they are for it.
        /// </summary>
        public bool FindFiles { get; set; }

        /// <summary>
        /// Every file the paths name (or, with <see cref="FindFiles"/>, every MACE-named file of the current folder), decoded:
        /// a file that does not decode stops the command before any device is touched.
        /// </summary>
        protected List<MaceProgram> LoadFiles(IOperationHost host)
        {
            var files = new List<MaceProgram>();
            if (FindFiles)
            {
                foreach (var path in Directory.EnumerateFiles(host.CurrentDirectory, "*.bin").Where(f => PublishProgramOperation.IdentityOf(f) != null).OrderBy(f => f, StringComparer.Ordinal))
                {
                    host.WriteDebug($"no file given: found {path}");
                    files.Add(MaceProgram.Load(path));
                }
                if (files.Count == 0)
                    throw new MaceException(ErrorIds.NoFileForDevice, MaceErrorCategory.ObjectNotFound,
                        $"no file given and no MACE-named file in {host.CurrentDirectory} ({MaceNamePatterns}): name the files, or run where New-MaceProgram wrote them", host.CurrentDirectory);
                return files;
            }
            foreach (var p in Paths)
                foreach (var path in PathResolver.Resolve(p, host.CurrentDirectory, LiteralPaths))
                    files.Add(MaceProgram.Load(path));
            return files;
        }

        /// <summary>What <see cref="FindFiles"/> looks for, in words for errors.</summary>
        protected const string MaceNamePatterns = "<library>_compiled_opencl_kernel.<device>.<soc>.bin, <library>_tuned_opencl_parameter.<device>.<soc>.bin";

        /// <summary>What <see cref="FindFiles"/> looked for on behalf of one device, in words for errors.</summary>
        protected static string LookedFor(InventoryDevice d, IOperationHost host) =>
            $"no file in {host.CurrentDirectory} is named for {d.Name}: looked for *_compiled_opencl_kernel.{d.DeviceName}.<soc>.bin and *_tuned_opencl_parameter.{d.DeviceName}.<soc>.bin with <soc> one of {string.Join(", ", d.TargetSocs)}";

        /// <summary>The inventory's devices that <see cref="Targets"/> and <see cref="Tags"/> select (of <paramref name="devices"/> when already read).</summary>
        protected IReadOnlyList<InventoryDevice> SelectDevices(IOperationHost host, IReadOnlyList<InventoryDevice>? devices = null)
        {
            string inventory = devices == null ? MaceInventory.Locate(Inventory, host.CurrentDirectory) : Inventory;
            host.WriteDebug($"inventory: {inventory}");
            return MaceInventory.Targets(inventory, Targets, Tags, devices);
        }

        /// <summary>The device's files; <paramref name="reuseConnection"/> false when one command will do.</summary>
        protected IRemoteFiles Open(InventoryDevice device, bool reuseConnection = true) =>
            Connect?.Invoke(device) ?? ShellRemoteFiles.For(device, Adb, reuseConnection);
    }
}
