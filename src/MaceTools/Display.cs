namespace MaceTools.Commands
{
    /// <summary>Text helpers for MaceTools.Format.ps1xml's table columns.</summary>
    public static class Display
    {
        /// <summary>
        /// Shortens <paramref name="text"/> to <paramref name="width"/> characters with "…" in the middle, keeping its start
        /// and its end: MACE file names differ in both (library or MACE version first, device.soc.bin last), and paths end in
        /// the file name, which a table's own truncation at the end would cut off.
        /// </summary>
        public static string Elide(string? text, int width)
        {
            if (text == null || text.Length <= width || width < 5) return text ?? "";
            int head = (width - 1) / 2;
            return text.Substring(0, head) + "…" + text.Substring(text.Length - (width - 1 - head));
        }
    }
}
