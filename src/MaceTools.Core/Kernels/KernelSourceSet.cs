using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using MaceTools.Formats;

namespace MaceTools.Kernels
{
    /// <summary>
    /// A set of MACE-shaped OpenCL C programs (<c>&lt;program&gt;.cl</c> files plus their <c>*.h</c> headers), and the
    /// exact source text MACE of a given version would hand to <c>clCreateProgramWithSource</c> for each program
    /// (mace-formats.md §3.3). Building a program from that text with the options of a program key reproduces what
    /// MACE builds, so the same key can be filled in for a device without MACE.
    /// </summary>
    public sealed class KernelSourceSet
    {
        /// <summary>The line MACE's codegen looks for; every MACE .cl file contains it exactly once.</summary>
        private const string IncludeLine = "#include <common.h>";
        private const string CommonHeader = "common.h";
        private const string ResourcePrefix = "MaceTools.Kernels.cl.";

        private static readonly Lazy<KernelSourceSet> BuiltinSet = new Lazy<KernelSourceSet>(LoadBuiltin);

        /// <summary>Program stem -> raw file bytes (hashed as they are, like MACE's codegen does).</summary>
        private readonly Dictionary<string, byte[]> _programs;
        /// <summary>Header file name -> raw bytes, in ordinal name order.</summary>
        private readonly SortedDictionary<string, byte[]> _headers;

        private KernelSourceSet(string origin, Dictionary<string, byte[]> programs, SortedDictionary<string, byte[]> headers)
        {
            Origin = origin;
            _programs = programs;
            _headers = headers;
            Programs = programs.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList().AsReadOnly();
        }

        /// <summary>The kernels that ship inside MaceTools (written for MaceTools, MACE's names and options), so keys can be built without a MACE checkout.</summary>
        public static KernelSourceSet Builtin => BuiltinSet.Value;

        /// <summary>"builtin", or the full path of the directory the sources came from; error messages name it.</summary>
        public string Origin { get; }

        /// <summary>The program names (the .cl stems, as in a program key), sorted ordinally.</summary>
        public IReadOnlyList<string> Programs { get; }

        /// <summary>Whether a program key's program (the part before the first space) can be built from this set.</summary>
        public bool Contains(string program) => program != null && _programs.ContainsKey(program);

        /// <summary>
        /// Reads a directory of <c>*.cl</c> and <c>*.h</c> files, such as a MACE checkout's <c>mace/ops/opencl/cl</c>, so
        /// programs can be built from the very sources a MACE release embedded.
        /// </summary>
        public static KernelSourceSet FromDirectory(string dir)
        {
            if (dir == null) throw new ArgumentNullException(nameof(dir));
            if (dir.Trim().Length == 0)
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, "The kernel source directory is empty", dir);
            string full;
            try
            {
                full = Path.GetFullPath(dir);
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is PathTooLongException)
            {
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, $"{dir}: not a usable kernel source directory path: {e.Message}", dir, e);
            }
            if (!Directory.Exists(full))
                throw new MaceException(ErrorIds.FileNotFound, MaceErrorCategory.ObjectNotFound, $"{full}: kernel source directory not found", full);

            string[] files;
            try
            {
                files = Directory.GetFiles(full);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new MaceException(ErrorIds.FileUnreadable, MaceErrorCategory.ReadError, $"{full}: cannot list the kernel source directory: {e.Message}", full, e);
            }

            var programs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            var headers = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (string path in files.OrderBy(f => f, StringComparer.Ordinal))
            {
                string name = Path.GetFileName(path);
                // Case-sensitive, like the codegen's file_name[-3:] == ".cl".
                if (name.EndsWith(".cl", StringComparison.Ordinal) && name.Length > 3)
                    programs[name.Substring(0, name.Length - 3)] = InputGate.ReadAll(path, InputKind.KernelSource);
                else if (name.EndsWith(".h", StringComparison.Ordinal))
                    headers[name] = InputGate.ReadAll(path, InputKind.KernelSource);
            }
            if (programs.Count == 0)
                throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.InvalidArgument, $"{full}: no .cl files in the kernel source directory", full);

            var set = new KernelSourceSet(full, programs, headers);
            set.CheckHeaders();
            return set;
        }

        /// <summary>
        /// The source text MACE <paramref name="version"/> passes to <c>clCreateProgramWithSource</c> for
        /// <paramref name="program"/>. Up to v0.11.x the codegen replaced each line containing <c>#include &lt;common.h&gt;</c>
        /// with all headers concatenated; from v0.12.0 it drops that line and the runtime prepends <c>common.h</c> once per
        /// dropped line. Line ends are read as Python's universal newlines read them (CRLF and CR become LF).
        /// </summary>
        public string Assemble(string program, MaceVersion version)
        {
            if (version == null) throw new ArgumentNullException(nameof(version));
            string body = Text(Program(program));
            var lines = SplitLinesKeepEnds(body);
            var sb = new StringBuilder(body.Length + 8192);
            if (version.AtLeast(0, 12, 0))
            {
                // encrypt_opencl_codegen.py@v1.1.1: the module records "common.h" in headers_ per include line and
                // keeps the other lines; GetProgramSourceByName concatenates the headers, then the body.
                string? common = null;
                var rest = new StringBuilder(body.Length);
                foreach (string line in lines)
                {
                    if (line.IndexOf(IncludeLine, StringComparison.Ordinal) >= 0) sb.Append(common ??= Text(Header(program, CommonHeader)));
                    else rest.Append(line);
                }
                sb.Append(rest);
            }
            else
            {
                // encrypt_opencl_codegen.py@v0.6.0: every *.h of the directory, concatenated, replaces the line.
                string? allHeaders = null;
                foreach (string line in lines)
                {
                    if (line.IndexOf(IncludeLine, StringComparison.Ordinal) >= 0)
                        sb.Append(allHeaders ??= string.Concat(_headers.Values.Select(Text)));
                    else
                        sb.Append(line);
                }
            }
            return sb.ToString();
        }

        /// <summary>
        /// MACE v1.1.1's <c>hash_str_</c> of <paramref name="program"/>, the value of its <c>program_hash_ &lt;key&gt;</c>
        /// cache entries: the last 10 hex digits of md5(file bytes), then those of md5(common.h bytes) once per include line.
        /// A cached binary whose stored hash differs is ignored by MACE, so a file written for v1.1.1 needs this value.
        /// </summary>
        public string HashStr(string program)
        {
            byte[] bytes = Program(program);
            var sb = new StringBuilder(Md5Tail(bytes));
            int includes = SplitLinesKeepEnds(Text(bytes)).Count(l => l.IndexOf(IncludeLine, StringComparison.Ordinal) >= 0);
            if (includes > 0)
            {
                string common = Md5Tail(Header(program, CommonHeader));
                for (int i = 0; i < includes; i++) sb.Append(common);
            }
            return sb.ToString();
        }

        /// <summary>SHA-256 (lower-case hex) of the assembled source: a build-cache key that changes whenever the text a driver compiles changes.</summary>
        public string SourceHash(string program, MaceVersion version) => HashText(Assemble(program, version));

        /// <summary>SHA-256 (lower-case hex) of an assembled source text.</summary>
        public static string HashText(string source) => Hashing.Sha256Hex(new UTF8Encoding(false).GetBytes(source));

        private byte[] Program(string program)
        {
            if (program != null && _programs.TryGetValue(program, out var bytes)) return bytes;
            throw new MaceException(ErrorIds.InvalidArgument, MaceErrorCategory.ObjectNotFound,
                $"Program '{program}' is not in the kernel sources ({Origin}); known programs: {string.Join(", ", Programs)}", program);
        }

        private byte[] Header(string program, string header)
        {
            if (_headers.TryGetValue(header, out var bytes)) return bytes;
            throw new MaceException(ErrorIds.FileNotFound, MaceErrorCategory.ObjectNotFound,
                $"{HeaderPath(header)}: header not found (included by {program}.cl)", HeaderPath(header));
        }

        private string HeaderPath(string header) => Origin == "builtin" ? "builtin:" + header : Path.Combine(Origin, header);

        /// <summary>Fails early, at load time, when a program includes common.h but the directory has none.</summary>
        private void CheckHeaders()
        {
            if (_headers.ContainsKey(CommonHeader)) return;
            foreach (string program in Programs)
            {
                if (Text(_programs[program]).IndexOf(IncludeLine, StringComparison.Ordinal) >= 0)
                    Header(program, CommonHeader);
            }
        }

        /// <summary>File bytes as Python 3 reads them in text mode: UTF-8, universal newlines (CRLF and lone CR become LF).</summary>
        private static string Text(byte[] bytes)
        {
            string s = new UTF8Encoding(false).GetString(bytes);
            if (s.IndexOf('\r') < 0) return s;
            return s.Replace("\r\n", "\n").Replace('\r', '\n');
        }

        /// <summary>Lines with their trailing "\n", as Python's readlines() returns them; the last may lack one.</summary>
        private static List<string> SplitLinesKeepEnds(string text)
        {
            var lines = new List<string>();
            int start = 0;
            while (start < text.Length)
            {
                int nl = text.IndexOf('\n', start);
                int end = nl < 0 ? text.Length : nl + 1;
                lines.Add(text.Substring(start, end - start));
                start = end;
            }
            return lines;
        }

        private static string Md5Tail(byte[] bytes)
        {
            using var md5 = MD5.Create();
            string hex = Hashing.Hex(md5.ComputeHash(bytes));
            return hex.Substring(hex.Length - 10);
        }

        private static KernelSourceSet LoadBuiltin()
        {
            var assembly = typeof(KernelSourceSet).GetTypeInfo().Assembly;
            var programs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            var headers = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (string resource in assembly.GetManifestResourceNames())
            {
                if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal)) continue;
                string name = resource.Substring(ResourcePrefix.Length);
                byte[] bytes;
                using (var stream = assembly.GetManifestResourceStream(resource)
                    ?? throw new InvalidOperationException($"Embedded kernel source {resource} cannot be opened"))
                using (var ms = new MemoryStream())
                {
                    stream.CopyTo(ms);
                    bytes = ms.ToArray();
                }
                if (name.EndsWith(".cl", StringComparison.Ordinal)) programs[name.Substring(0, name.Length - 3)] = bytes;
                else if (name.EndsWith(".h", StringComparison.Ordinal)) headers[name] = bytes;
            }
            var set = new KernelSourceSet("builtin", programs, headers);
            set.CheckHeaders();
            return set;
        }
    }
}
