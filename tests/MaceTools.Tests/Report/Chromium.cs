using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace MaceTools.Tests.Report
{
    /// <summary>
    /// Headless Chromium (Debian's chromium package, which `./build.sh test` installs and then requires through
    /// MACETOOLS_REQUIRE_CHROMIUM=1): loads a page from a file and returns its stderr log, its DOM after load, or a screenshot.
    /// </summary>
    internal static class Chromium
    {
        public static readonly string? Executable = new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(n => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, n)))
            .FirstOrDefault(File.Exists);

        /// <summary>Why a viewer test cannot run here, or null: missing chromium is a failure only where the test command installs it.</summary>
        public static string? SkipReason => Executable != null || Environment.GetEnvironmentVariable("MACETOOLS_REQUIRE_CHROMIUM") == "1"
            ? null : "chromium is not installed (./build.sh test and ./build.sh deps install it)";

        /// <summary>Runs chromium on a page; returns stdout and stderr. A page that does not finish in a minute fails the test.</summary>
        public static (string Out, string Err) Run(string page, string scratch, params string[] args)
        {
            Assert.True(Executable != null, "chromium is not installed: ./build.sh deps installs it (Debian package chromium)");
            var psi = new ProcessStartInfo(Executable!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--enable-logging=stderr", "--v=0",
                         "--user-data-dir=" + Path.Combine(scratch, "profile") }.Concat(args).Append(new Uri(page).AbsoluteUri))
                psi.ArgumentList.Add(a);
            psi.Environment["HOME"] = scratch;
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit(60_000))
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail($"chromium did not finish loading {page} within 60 s");
            }
            p.WaitForExit();
            return (output.Result, err.Result);
        }

        /// <summary>What the page wrote to its console (Chromium logs each message as a CONSOLE line on stderr).</summary>
        public static List<string> ConsoleMessages(string stderr) =>
            stderr.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToList();
    }

    /// <summary>A PNG's pixels (8-bit RGB or RGBA, not interlaced: what Chromium writes), to tell a blank screenshot from a drawn one.</summary>
    internal static class Png
    {
        public static (int Width, int Height, uint[] Pixels) Decode(byte[] png)
        {
            Assert.True(png.Length > 8 && png.Take(8).SequenceEqual(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }), "not a PNG");
            int width = 0, height = 0, channels = 0;
            var idat = new MemoryStream();
            for (int at = 8; at + 8 <= png.Length;)
            {
                int length = (png[at] << 24) | (png[at + 1] << 16) | (png[at + 2] << 8) | png[at + 3];
                string type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
                if (type == "IHDR")
                {
                    width = Int(png, at + 8);
                    height = Int(png, at + 12);
                    Assert.Equal(8, png[at + 16]);
                    channels = png[at + 17] switch { 2 => 3, 6 => 4, var c => throw new NotSupportedException($"PNG colour type {c}") };
                    Assert.Equal(0, png[at + 20]);
                }
                else if (type == "IDAT") idat.Write(png, at + 8, length);
                else if (type == "IEND") break;
                at += 12 + length;
            }
            idat.Position = 0;
            var raw = new MemoryStream();
            using (var z = new ZLibStream(idat, CompressionMode.Decompress)) z.CopyTo(raw);
            byte[] data = raw.ToArray();
            int stride = width * channels;
            Assert.Equal((stride + 1) * height, data.Length);
            var pixels = new uint[width * height];
            var prev = new byte[stride];
            var row = new byte[stride];
            for (int y = 0; y < height; y++)
            {
                int f = data[y * (stride + 1)];
                for (int i = 0; i < stride; i++)
                {
                    int x = data[y * (stride + 1) + 1 + i];
                    int a = i >= channels ? row[i - channels] : 0, b = prev[i], c = i >= channels ? prev[i - channels] : 0;
                    row[i] = (byte)(f switch { 0 => x, 1 => x + a, 2 => x + b, 3 => x + (a + b) / 2, 4 => x + Paeth(a, b, c), _ => throw new InvalidDataException($"PNG filter {f}") });
                }
                for (int px = 0; px < width; px++)
                    pixels[y * width + px] = (uint)(row[px * channels] << 16 | row[px * channels + 1] << 8 | row[px * channels + 2]);
                (prev, row) = (row, prev);
            }
            return (width, height, pixels);
        }

        private static int Int(byte[] b, int at) => (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];

        private static int Paeth(int a, int b, int c)
        {
            int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
    }
}
