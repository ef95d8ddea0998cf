namespace MaceTools.Remote
{
    /// <summary>What a publish did on one target.</summary>
    public enum PublishStatus
    {
        /// <summary>The new file is in place, verified by its remote SHA-256.</summary>
        Published,
        /// <summary>The device already held a file with the same SHA-256; nothing was uploaded.</summary>
        Unchanged,
        /// <summary>Not attempted: -WhatIf, a "no" to -Confirm, or cancelled before it started.</summary>
        Skipped,
        /// <summary>Nothing changed on the device: the previous file (if any) is still in place.</summary>
        Failed,
        /// <summary>The new file was renamed into place but failed afterwards; the previous file was put back.</summary>
        RolledBack,
    }

    /// <summary>Which file of a device a publish replaces.</summary>
    public enum PublishKind
    {
        /// <summary>The compiled-program cache (<see cref="InventoryDevice.ProgramPath"/>).</summary>
        Program,
        /// <summary>The tuned-parameter file (<see cref="InventoryDevice.TuningPath"/>).</summary>
        Tuning,
    }

    /// <summary>One target's outcome of Publish-MaceProgram / macetools program publish.</summary>
    public sealed class PublishResult
    {
        /// <summary>The device's name in the inventory.</summary>
        public string Device { get; set; } = "";
        public string Transport { get; set; } = "";
        /// <summary>user@address:port for ssh, the serial for adb.</summary>
        public string Address { get; set; } = "";
        /// <summary>The local file (null when no file fits this target).</summary>
        public string? File { get; set; }
        /// <summary>The destination on the device.</summary>
        public string Path { get; set; } = "";
        public PublishKind Kind { get; set; }
        /// <summary>SHA-256 of the local file.</summary>
        public string? Sha256 { get; set; }
        /// <summary>SHA-256 of the file the device held before; null when there was none (or it could not be read).</summary>
        public string? PreviousSha256 { get; set; }
        /// <summary>Where the previous file was kept on the device; null when there was none to keep.</summary>
        public string? Backup { get; set; }
        public PublishStatus Status { get; set; }
        /// <summary>Why it failed, naming device and path; null on success.</summary>
        public string? Error { get; set; }
        /// <summary>The MaceTools error id of <see cref="Error"/>.</summary>
        public string? ErrorId { get; set; }
        public double Seconds { get; set; }

        public override string ToString() => $"{Device}: {Status} {Path}" + (Error == null ? "" : ": " + Error);
    }
}
