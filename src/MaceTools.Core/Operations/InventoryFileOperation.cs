using System;
using System.Collections.Generic;
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
        /// <summary>The devices.yml.</summary>
        public string Inventory { get; set; } = "";
        /// <summary>Device names (wildcards); empty means all.</summary>
        public IList<string> Targets { get; set; } = new List<string>();
        /// <summary>Only devices carrying one of these tags; empty means any.</summary>
        public IList<string> Tags { get; set; } = new List<string>();
        /// <summary>The adb client for adb devices (a private server in tests); null uses the default server.</summary>
        public AdbClient? Adb { get; set; }
        /// <summary>Makes the transport for a device; null uses <see cref="ShellRemoteFiles.For"/>.</summary>
        public Func<InventoryDevice, IRemoteFiles>? Connect { get; set; }

        /// <summary>Every file the paths name, decoded: a file that does not decode stops the command before any device is touched.</summary>
        protected List<MaceProgram> LoadFiles(IOperationHost host)
        {
            var files = new List<MaceProgram>();
            foreach (var p in Paths)
                foreach (var path in PathResolver.Resolve(p, host.CurrentDirectory, LiteralPaths))
                    files.Add(MaceProgram.Load(path));
            return files;
        }

        /// <summary>The inventory's devices that <see cref="Targets"/> and <see cref="Tags"/> select (of <paramref name="devices"/> when already read).</summary>
        protected IReadOnlyList<InventoryDevice> SelectDevices(IOperationHost host, IReadOnlyList<InventoryDevice>? devices = null) =>
            MaceInventory.Targets(devices == null ? PathResolver.FullPath(Inventory, host.CurrentDirectory) : Inventory, Targets, Tags, devices);

        /// <summary>The device's files; <paramref name="reuseConnection"/> false when one command will do.</summary>
        protected IRemoteFiles Open(InventoryDevice device, bool reuseConnection = true) =>
            Connect?.Invoke(device) ?? ShellRemoteFiles.For(device, Adb, reuseConnection);
    }
}
