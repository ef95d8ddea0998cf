namespace MaceTools
{
    /// <summary>
    /// The on-disk generation of a MACE file (shared/reference/mace-formats.md §0-§1).
    /// G1/T1: raw int64 count + {int32 len, bytes} records (MACE v0.6.1-v1.0.4).
    /// G2/T2: protobuf PairContainer + little-endian CRC-32 trailer (MACE v1.1.1).
    /// </summary>
    public enum MaceFileFormat
    {
        G1,
        G2,
        T1,
        T2,
    }

    /// <summary>What a MACE file holds: compiled OpenCL programs, or tuned work-group sizes.</summary>
    public enum MaceFileKind
    {
        Programs,
        Tuning,
    }
}

namespace MaceTools.Formats
{
    public static class MaceFileFormats
    {
        public static bool IsProtobuf(this MaceFileFormat f) => f == MaceFileFormat.G2 || f == MaceFileFormat.T2;
        public static MaceFileKind Kind(this MaceFileFormat f) => f == MaceFileFormat.T1 || f == MaceFileFormat.T2 ? MaceFileKind.Tuning : MaceFileKind.Programs;

        public static MaceFileFormat Of(MaceFileKind kind, bool protobuf) => kind == MaceFileKind.Tuning
            ? (protobuf ? MaceFileFormat.T2 : MaceFileFormat.T1)
            : (protobuf ? MaceFileFormat.G2 : MaceFileFormat.G1);

        /// <summary>The same container generation for the other kind, e.g. G2 -> T2 (used when a user names "G2" for a tuning file).</summary>
        public static MaceFileFormat ForKind(this MaceFileFormat f, MaceFileKind kind) => Of(kind, f.IsProtobuf());
    }
}
