using System;
using System.IO;
using System.Runtime.InteropServices;

namespace MaceTools.Formats
{
    /// <summary>
    /// The few POSIX calls <see cref="FileIO.WriteAtomic"/> needs and netstandard2.0 lacks: the old file's mode and owner
    /// (statx, fchmod, fchown) and a rename that never replaces (link, renameat2). Every call is guarded: off Linux, or where
    /// the C library lacks an entry point, the caller takes its portable path.
    /// </summary>
    internal static class PosixFiles
    {
        private const string Libc = "libc";
        private const int AtFdCwd = -100;
        private const uint StatxMode = 0x2, StatxUid = 0x8, StatxGid = 0x10;
        private const uint RenameNoReplace = 1;
        public const int EEXIST = 17, EPERM = 1, ENOENT = 2, ESRCH = 3;

        public static bool IsLinux => RuntimeInformation.IsOSPlatform(OSPlatform.Linux);
        public static bool IsUnix => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        [DllImport(Libc, EntryPoint = "statx", SetLastError = true)]
        private static extern int statx(int dirfd, string path, int flags, uint mask, byte[] buffer);
        [DllImport(Libc, EntryPoint = "fchmod", SetLastError = true)]
        private static extern int fchmod(int fd, uint mode);
        [DllImport(Libc, EntryPoint = "fchown", SetLastError = true)]
        private static extern int fchown(int fd, int uid, int gid);
        [DllImport(Libc, EntryPoint = "link", SetLastError = true)]
        private static extern int link(string oldPath, string newPath);
        [DllImport(Libc, EntryPoint = "renameat2", SetLastError = true)]
        private static extern int renameat2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);
        [DllImport(Libc, EntryPoint = "kill", SetLastError = true)]
        private static extern int kill(int pid, int signal);

        /// <summary>The mode (permission bits with setgid/sticky), owner and group of a file; null where unknown (not Linux, no such file).</summary>
        public static (uint Mode, int Uid, int Gid)? Ownership(string path)
        {
            if (!IsLinux) return null;
            var buffer = new byte[256]; // struct statx: the same layout on every Linux architecture
            try
            {
                if (statx(AtFdCwd, path, 0, StatxMode | StatxUid | StatxGid, buffer) != 0) return null;
            }
            catch (Exception e) when (e is EntryPointNotFoundException || e is DllNotFoundException) { return null; }
            int uid = BitConverter.ToInt32(buffer, 20), gid = BitConverter.ToInt32(buffer, 24);
            uint mode = BitConverter.ToUInt16(buffer, 28) & 0xfffu;
            return (mode, uid, gid);
        }

        /// <summary>
        /// Gives an open file the owner and mode of another: the owner only where we may (root; or a group we belong to), the
        /// mode wherever the file system keeps modes (not FAT, whose modes come from the mount). Owner first, since a chown
        /// may clear set-id bits.
        /// </summary>
        public static void Apply(SafeHandle file, (uint Mode, int Uid, int Gid) ownership)
        {
            int fd = (int)file.DangerousGetHandle();
            if (fchown(fd, ownership.Uid, ownership.Gid) != 0) fchown(fd, -1, ownership.Gid);
            fchmod(fd, ownership.Mode);
        }

        /// <summary>
        /// Puts <paramref name="source"/> at <paramref name="destination"/> unless something is already there, atomically:
        /// link(2), which fails with EEXIST, then unlink of the source; on file systems without hard links,
        /// renameat2(RENAME_NOREPLACE). Returns false when the destination exists; null when neither call is possible here.
        /// </summary>
        public static bool? MoveNoReplace(string source, string destination)
        {
            if (!IsUnix) return null;
            try
            {
                if (link(source, destination) == 0)
                {
                    File.Delete(source);
                    return true;
                }
                int errno = Marshal.GetLastWin32Error();
                if (errno == EEXIST) return false;
                if (!IsLinux) return null;
                if (renameat2(AtFdCwd, source, AtFdCwd, destination, RenameNoReplace) == 0) return true;
                errno = Marshal.GetLastWin32Error();
                if (errno == EEXIST) return false;
                return null;
            }
            catch (Exception e) when (e is EntryPointNotFoundException || e is DllNotFoundException) { return null; }
        }

        /// <summary>Whether a process exists (kill with signal 0: EPERM means it exists but is not ours).</summary>
        public static bool ProcessExists(int pid)
        {
            try
            {
                if (kill(pid, 0) == 0) return true;
                return Marshal.GetLastWin32Error() != ESRCH;
            }
            catch (Exception e) when (e is EntryPointNotFoundException || e is DllNotFoundException) { return true; }
        }
    }
}
