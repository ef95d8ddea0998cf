using System;
using System.Globalization;
using System.IO;
using System.Linq;
using MaceTools.Devices;

namespace MaceTools.Config
{
    /// <summary>
    /// The one rule for names that become file names (a library name, a device's model, a soc): no path separator, not '.' or
    /// '..', not empty, no NUL or other control character, so a name from a deployment file, an inventory or a device can
    /// never put a file outside the folder it is written to. The readers check it where they read a name (with file:line:col);
    /// <see cref="DeviceFileName"/> checks the file name it makes, whatever the names came from (options, getprop).
    /// </summary>
    public static class NameRule
    {
        /// <summary>Why <paramref name="name"/> cannot be (part of) a file name, or null when it can.</summary>
        public static string? Problem(string? name)
        {
            if (string.IsNullOrEmpty(name)) return "it is empty";
            if (name == "." || name == "..") return $"'{name}' names a folder";
            if (name!.IndexOfAny(new[] { '/', '\\' }) >= 0) return "it holds a path separator";
            if (name.Any(char.IsControl)) return "it holds a control character";
            if (Path.IsPathRooted(name)) return "it is an absolute path";
            return null;
        }

        /// <summary>The name as a message shows it: control characters as \uXXXX.</summary>
        public static string Printable(string? name) =>
            string.Concat((name ?? "").Select(c => char.IsControl(c) ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : c.ToString()));

        /// <summary>The message of a refused name: "'../x' cannot become part of a file name: it holds a path separator" (the readers put the key before it).</summary>
        public static string Message(string? name, string problem) => $"'{Printable(name)}' cannot become part of a file name: {problem}";

        /// <summary>Throws <see cref="ErrorIds.UnsafeName"/> unless <paramref name="name"/> passes the rule; returns it.</summary>
        public static string Require(string? name, string what)
        {
            if (Problem(name) is string problem)
                throw new MaceException(ErrorIds.UnsafeName, MaceErrorCategory.InvalidArgument, what + " " + Message(name, problem), name);
            return name!;
        }

        /// <summary>MACE's per-device file name, &lt;library&gt;_&lt;kind&gt;.&lt;model&gt;.&lt;soc&gt;.bin, refused when any part would escape its folder.</summary>
        public static string DeviceFileName(string library, string kind, MaceDevice device)
        {
            foreach (var (part, what) in new[] { (library, "library name"), (device.Model, $"device model of {device.Name}"), (device.Soc, $"soc of {device.Name}") })
                if (part.IndexOfAny(new[] { '/', '\\' }) >= 0 || part.Any(char.IsControl) || Path.IsPathRooted(part))
                    Require(part, what);
            return Require($"{library}_{kind}.{device.Model}.{device.Soc}.bin", "file name");
        }
    }
}
