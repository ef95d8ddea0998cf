using System;

namespace MaceTools.Formats
{
    /// <summary>
    /// The machine an ELF image's code is for (its header's <c>e_machine</c>), named as <c>uname -m</c> names it: what
    /// tells an aarch64 program binary or agent build from an x86_64 one. A driver's binary may be an ELF image itself
    /// (Mali, some Adreno tools) or carry ELF images inside (pocl's <c>poclbin</c> holds the compiled kernels' shared objects).
    /// </summary>
    public static class ElfMachine
    {
        private static readonly byte[] Magic = { 0x7f, (byte)'E', (byte)'L', (byte)'F' };

        /// <summary>The machine of the ELF header at <paramref name="data"/>'s start, or null when there is none.</summary>
        public static string? OfHeader(ReadOnlySpan<byte> data)
        {
            // e_ident[EI_DATA] (5): 1 little-endian, 2 big-endian; e_machine is the 16-bit word at 18 in both classes.
            if (data.Length < 20 || !data.StartsWith(Magic)) return null;
            int machine = data[5] == 2 ? data[18] << 8 | data[19] : data[19] << 8 | data[18];
            return Name(machine);
        }

        /// <summary>The machine of the first ELF image in <paramref name="data"/> (at its start or inside it), or null.</summary>
        public static string? Find(ReadOnlySpan<byte> data)
        {
            for (int at = data.IndexOf(Magic); at >= 0; )
            {
                var found = OfHeader(data.Slice(at));
                if (found != null) return found;
                int next = data.Slice(at + 1).IndexOf(Magic);
                at = next < 0 ? -1 : at + 1 + next;
            }
            return null;
        }

        /// <summary>uname -m's name for an <c>e_machine</c> value (EM_*); others as <c>machine N</c>.</summary>
        public static string Name(int machine) => machine switch
        {
            3 => "i686",
            40 => "arm",
            62 => "x86_64",
            183 => "aarch64",
            243 => "riscv64",
            _ => "machine " + machine,
        };
    }
}
