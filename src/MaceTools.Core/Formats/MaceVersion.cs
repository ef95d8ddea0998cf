using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;
using MaceTools.Formats;

namespace MaceTools
{
    /// <summary>
    /// A MACE version as <c>MaceVersion()</c> reports it: <c>git describe --long --tags</c> (e.g. v1.1.1-0-g8c75d39),
    /// optionally with a -YYYYMMDD suffix (v0.9-v0.10), or a plain tag such as v1.0.4.
    /// </summary>
    public sealed class MaceVersion : IComparable<MaceVersion>
    {
        private static readonly Regex Describe = new Regex(
            @"^(?<tag>v?(?<maj>\d+)\.(?<min>\d+)(\.(?<pat>\d+))?(?<pre>-rc\d+)?)(-(?<n>\d+)-g(?<hash>[0-9a-f]+))?(-(?<date>\d{8}))?$",
            RegexOptions.CultureInvariant);

        private MaceVersion(string text, string tag, Version number, string? prerelease, int? commits, string? hash, string? date)
        {
            Text = text;
            Tag = tag;
            Number = number;
            Prerelease = prerelease;
            CommitsSinceTag = commits;
            CommitHash = hash;
            BuildDate = date;
        }

        /// <summary>The string exactly as given (this is what goes into platform-info strings).</summary>
        public string Text { get; }
        public string Tag { get; }
        public Version Number { get; }
        public string? Prerelease { get; }
        public int? CommitsSinceTag { get; }
        public string? CommitHash { get; }
        public string? BuildDate { get; }

        /// <summary>The newest release, as its <c>MaceVersion()</c> reports it (the tag's <c>git describe --long</c>).</summary>
        public static MaceVersion Latest { get; } = Parse("v1.1.1-0-g8c75d39");

        /// <summary>The releases whose file formats and rules MaceTools knows (mace-formats.md), newest first: what completion offers.</summary>
        public static IReadOnlyList<string> Known { get; } = new[]
        {
            "v1.1.1-0-g8c75d39", "v1.0.4", "v1.0.3", "v1.0.0", "v0.13.0", "v0.12.0", "v0.11.0-rc1", "v0.11.0-rc0",
            "v0.10.0", "v0.9.0", "v0.8.1", "v0.8.0", "v0.7.3", "v0.7.0", "v0.6.3", "v0.6.1",
        };

        public static bool TryParse(string? text, out MaceVersion? version)
        {
            version = null;
            if (string.IsNullOrWhiteSpace(text)) return false;
            var m = Describe.Match(text!.Trim());
            if (!m.Success) return false;
            int pat = m.Groups["pat"].Success ? int.Parse(m.Groups["pat"].Value, CultureInfo.InvariantCulture) : 0;
            version = new MaceVersion(text.Trim(), m.Groups["tag"].Value,
                new Version(int.Parse(m.Groups["maj"].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups["min"].Value, CultureInfo.InvariantCulture), pat),
                m.Groups["pre"].Success ? m.Groups["pre"].Value.Substring(1) : null,
                m.Groups["n"].Success ? int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture) : (int?)null,
                m.Groups["hash"].Success ? m.Groups["hash"].Value : null,
                m.Groups["date"].Success ? m.Groups["date"].Value : null);
            return true;
        }

        /// <summary>
        /// The version a MACE runtime reports, which can be any string: MACE's build falls back from its own
        /// <c>git describe</c> to that of the directory it is built in (another project's describe string) and then to
        /// <c>unknown</c> (a release tarball). The string goes into platform-info strings as it is. The rules (file
        /// generation, identity keys) are those of a recognised MACE version when the string is one, else those of
        /// <paramref name="generation"/> (G2/T2: v1.1.1; G1/T1: v1.0.4), else those of the newest release.
        /// </summary>
        /// <param name="text">The string as the runtime reports it.</param>
        /// <param name="generation">The file generation asked for, if any.</param>
        /// <param name="checkGeneration">A recognised version of the other generation is an error (off: the caller warns itself).</param>
        public static MaceVersion ForRuntime(string text, MaceFileFormat? generation = null, bool checkGeneration = true)
        {
            text = (text ?? "").Trim();
            // What MaceVersion() can return: a describe string (of MACE's tree or of the one it was built in), or unknown.
            if (!TryParse(text, out _) && !MaceVersionShape.Matches(text))
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument,
                    $"'{text}' is not a MACE version string: expected a tag such as v1.0.4, a describe string such as v1.1.1-0-g8c75d39 " +
                    "(or of the repository MACE was built in, such as myapp-2.3-14-gabcdef0), or unknown (MACE built without .git)", text);
            var rules = generation == null ? Latest : ForGeneration(generation.Value);
            if (TryParse(text, out var recognised))
            {
                if (checkGeneration && generation != null && recognised!.ProgramFormat.IsProtobuf() != generation.Value.IsProtobuf())
                    throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument,
                        $"MACE {text} reads {recognised.ProgramFormat}/{recognised.TuningFormat} files, not {generation}: give one of them, or a version string of that generation", text);
                return recognised!;
            }
            return new MaceVersion(text, rules.Tag, rules.Number, rules.Prerelease, null, null, null) { RulesOf = rules };
        }

        /// <summary>The newest release that writes <paramref name="generation"/>.</summary>
        public static MaceVersion ForGeneration(MaceFileFormat generation) =>
            generation == MaceFileFormat.G2 || generation == MaceFileFormat.T2 ? Latest : Parse("v1.0.4");

        /// <summary>Null for a recognised version; else the recognised version whose rules this string follows.</summary>
        public MaceVersion? RulesOf { get; private set; }
        /// <summary>The string is a MACE tag or describe string (its own rules), not a free-form one.</summary>
        public bool Recognised => RulesOf == null;

        public static MaceVersion Parse(string text) => TryParse(text, out var v)
            ? v!
            : throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument,
                $"'{text}' is not a MACE version (expected a tag such as v1.0.4 or a describe string such as v1.1.1-0-g8c75d39)", text);

        /// <summary>The program-cache generation this version writes and reads (mace-formats.md §0).</summary>
        public MaceFileFormat ProgramFormat => AtLeast(1, 1, 0) ? MaceFileFormat.G2 : MaceFileFormat.G1;
        public MaceFileFormat TuningFormat => AtLeast(1, 1, 0) ? MaceFileFormat.T2 : MaceFileFormat.T1;
        public MaceFileFormat FormatFor(MaceFileKind kind) => kind == MaceFileKind.Tuning ? TuningFormat : ProgramFormat;
        /// <summary>From v0.8.0 the platform-info key is stored inside the program file (G1b); v0.6.1-v0.7.x keep it outside.</summary>
        public bool StoresPlatformInfo => AtLeast(0, 8, 0);
        /// <summary>From v0.9.0 the platform-info string ends with ", " + MaceVersion().</summary>
        public bool PlatformInfoHasVersion => AtLeast(0, 9, 0);
        /// <summary>From v0.11.0 a raw record past the end is FATAL "Paring storage data out of range"; before, it reads out of bounds.</summary>
        public bool ChecksRawBounds => AtLeast(0, 11, 0);
        public bool StoresDeviceName => AtLeast(1, 1, 0);

        public bool AtLeast(int major, int minor, int patch) => Number >= new Version(major, minor, patch);

        public int CompareTo(MaceVersion? other)
        {
            if (other is null) return 1;
            int c = Number.CompareTo(other.Number);
            if (c != 0) return c;
            // A release candidate precedes its release.
            if (Prerelease == null) return other.Prerelease == null ? 0 : 1;
            return other.Prerelease == null ? -1 : string.CompareOrdinal(Prerelease, other.Prerelease);
        }

        public override string ToString() => Text;
    }
}
