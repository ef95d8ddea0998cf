using System;
using System.Collections.Generic;
using System.Linq;

namespace MaceTools
{
    /// <summary>
    /// MACE's platform-info string: <c>CL_PLATFORM_NAME, CL_PLATFORM_PROFILE, CL_PLATFORM_VERSION[, MaceVersion()]</c>
    /// (mace-formats.md §2.2). The platform version may itself contain ", " (pocl's does), so the MACE version is
    /// recognised by its shape at the end and everything between the profile and it is the platform version.
    /// </summary>
    public sealed class PlatformInfo
    {
        private PlatformInfo(string text) { Text = text; }

        public string Text { get; }
        public string PlatformName { get; private set; } = "";
        public string Profile { get; private set; } = "";
        /// <summary>CL_PLATFORM_VERSION, whole.</summary>
        public string PlatformVersion { get; private set; } = "";
        /// <summary>The numeric OpenCL version from the platform version ("2.0"), or "".</summary>
        public string OpenCLVersion { get; private set; } = "";
        /// <summary>The driver's build text after "OpenCL X.Y ".</summary>
        public string DriverBuild { get; private set; } = "";
        /// <summary>Qualcomm's <c>Date:</c> token (MM/DD/YY), or "".</summary>
        public string QualcommDate { get; private set; } = "";
        /// <summary>Qualcomm's <c>Remote Branch:</c> token, or "".</summary>
        public string RemoteBranch { get; private set; } = "";
        public string? MaceVersionText { get; private set; }
        public MaceVersion? MaceVersion { get; private set; }
        /// <summary>What MACE v1.1.1's IsCacheCompatible compares: the third comma field, stripped (for pocl only its first part); "" with fewer than 3 fields.</summary>
        public string CompatibilityVersion { get; private set; } = "";
        /// <summary>Why the string is not a platform-info string, or null when it parses.</summary>
        public string? Problem { get; private set; }

        public static PlatformInfo Parse(string text)
        {
            var p = new PlatformInfo(text);
            var commaFields = text.Split(',');
            if (commaFields.Length >= 3) p.CompatibilityVersion = commaFields[2].Trim();
            var fields = text.Split(new[] { ", " }, StringSplitOptions.None).ToList();
            if (fields.Count < 3)
            {
                p.Problem = $"expected at least 3 fields separated by \", \" (platform name, profile, OpenCL version), found {fields.Count}";
                if (fields.Count > 0) p.PlatformName = fields[0];
                return p;
            }
            p.PlatformName = fields[0];
            p.Profile = fields[1];
            if (fields.Count >= 4 && (Formats.MaceVersionShape.Matches(fields[fields.Count - 1])))
            {
                p.MaceVersionText = fields[fields.Count - 1];
                MaceVersion.TryParse(p.MaceVersionText, out var v);
                p.MaceVersion = v;
                fields.RemoveAt(fields.Count - 1);
            }
            p.PlatformVersion = string.Join(", ", fields.Skip(2));
            var words = p.PlatformVersion.Split(' ');
            if (words.Length >= 2 && words[0] == "OpenCL")
            {
                p.OpenCLVersion = words[1];
                p.DriverBuild = p.PlatformVersion.Length > 8 + words[1].Length ? p.PlatformVersion.Substring(8 + words[1].Length) : "";
            }
            else p.Problem = $"the platform version '{p.PlatformVersion}' does not start with \"OpenCL <major>.<minor>\"";
            if (p.Profile != "FULL_PROFILE" && p.Profile != "EMBEDDED_PROFILE" && p.Problem == null)
                p.Problem = $"the profile '{p.Profile}' is neither FULL_PROFILE nor EMBEDDED_PROFILE";
            p.QualcommDate = TokenAfter(p.PlatformVersion, "Date:");
            p.RemoteBranch = TokenAfter(p.PlatformVersion, "Remote Branch:");
            return p;
        }

        /// <summary>The same string for another MACE build: MACE's own version is part of what it compares.</summary>
        public string WithMaceVersion(MaceVersion? version)
        {
            string head = $"{PlatformName}, {Profile}, {PlatformVersion}";
            return version == null || !version.PlatformInfoHasVersion ? head : head + ", " + version.Text;
        }

        /// <summary>MACE's GetStrAfterPattern: skip whitespace after the pattern, take the token up to the next whitespace.</summary>
        internal static string TokenAfter(string s, string pattern)
        {
            int i = s.IndexOf(pattern, StringComparison.Ordinal);
            if (i < 0) return "";
            i += pattern.Length;
            while (i < s.Length && " \t\f\v\n\r".IndexOf(s[i]) >= 0) i++;
            int j = i;
            while (j < s.Length && " \t\f\v\n\r".IndexOf(s[j]) < 0) j++;
            return s.Substring(i, j - i);
        }

        /// <summary>MM/DD/YY[YY] after "Date:" as (year, month, day), or null.</summary>
        internal static int[]? QcomDate(string version)
        {
            var parts = TokenAfter(version, "Date:").Split('/');
            if (parts.Length != 3) return null;
            if (!int.TryParse(parts[0], out int m) || !int.TryParse(parts[1], out int d) || !int.TryParse(parts[2], out int y)) return null;
            if (parts[2].Length == 2) y += 2000;
            return new[] { y, m, d };
        }

        public override string ToString() => Text;
    }
}

namespace MaceTools.Formats
{
    internal static class MaceVersionShape
    {
        /// <summary>A trailing field that MaceVersion() could have produced: a describe string (MACE's or another repository's) or "unknown[-date]".</summary>
        public static bool Matches(string field) =>
            MaceVersion.TryParse(field, out var v) && (v!.CommitHash != null || v.BuildDate != null)
            || System.Text.RegularExpressions.Regex.IsMatch(field, @"^unknown(-\d{8})?$")
            // MACE built inside another project's git tree reports that project's describe string.
            || System.Text.RegularExpressions.Regex.IsMatch(field, @"^\S+-\d+-g[0-9a-f]{4,40}$");
    }
}
