using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace MaceTools.Report
{
    /// <summary>
    /// The report's charts, drawn with OxyPlot.Core and exported as inline SVG. OxyPlot.Core was chosen over ScottPlot 5
    /// (which renders through SkiaSharp and needs its native libSkiaSharp) and over hand-drawn SVG: it is pure managed
    /// netstandard2.0 with no dependencies, so it loads from the module's Dependencies/ folder in the isolated load context
    /// like YamlDotNet; its SVG export writes through XmlWriter (text escaped, coordinates in the invariant culture) and
    /// measures text without any native font library.
    /// </summary>
    internal static class ReportCharts
    {
        public const double Width = 880;
        private const double RowHeight = 20;
        private const int MaxLabel = 48;

        public static readonly OxyColor Source = OxyColor.FromRgb(0xb0, 0x5a, 0x2a);
        public static readonly OxyColor File = OxyColor.FromRgb(0x2a, 0x6f, 0xb0);
        public static readonly OxyColor Good = OxyColor.FromRgb(0x2e, 0x7d, 0x32);
        public static readonly OxyColor Bad = OxyColor.FromRgb(0xc6, 0x28, 0x28);
        public static readonly OxyColor Other = OxyColor.FromRgb(0x6a, 0x4c, 0x93);

        public sealed class Bars
        {
            public Bars(string name, OxyColor color, IReadOnlyList<double> values, IReadOnlyList<OxyColor>? itemColors = null)
            {
                Name = name;
                Color = color;
                Values = values;
                ItemColors = itemColors;
            }

            public string Name { get; }
            public OxyColor Color { get; }
            public IReadOnlyList<double> Values { get; }
            public IReadOnlyList<OxyColor>? ItemColors { get; }
        }

        /// <summary>Horizontal bars, one row per category in the given order (first at the top); stacked or side by side.</summary>
        public static PlotModel HorizontalBars(string title, string? subtitle, string valueAxis, IReadOnlyList<string> categories, IReadOnlyList<Bars> series, bool stacked = false,
            IReadOnlyList<double>? markers = null, string? markerName = null)
        {
            var model = NewModel(title, subtitle);
            var cat = new CategoryAxis { Position = AxisPosition.Left, Key = "c", StartPosition = 1, EndPosition = 0, GapWidth = 0.3, IsZoomEnabled = false };
            cat.Labels.AddRange(categories.Select(Label));
            model.Axes.Add(cat);
            model.Axes.Add(new LinearAxis
            {
                Position = AxisPosition.Bottom, Title = Clean(valueAxis), Key = "v", MinimumPadding = 0, MaximumPadding = 0.06, AbsoluteMinimum = double.MinValue,
                MajorGridlineStyle = LineStyle.Dot, MajorGridlineColor = OxyColor.FromRgb(0xdd, 0xdd, 0xdd),
            });
            foreach (var s in series)
            {
                var bars = new BarSeries { Title = series.Count > 1 ? Clean(s.Name) : null, FillColor = s.Color, IsStacked = stacked, XAxisKey = "v", YAxisKey = "c", StrokeThickness = 0 };
                for (int i = 0; i < s.Values.Count; i++)
                    bars.Items.Add(new BarItem(Finite(s.Values[i])) { CategoryIndex = i, Color = s.ItemColors?[i] ?? OxyColors.Automatic });
                model.Series.Add(bars);
            }
            if (markers != null)
            {
                var points = new ScatterSeries { Title = markerName == null ? null : Clean(markerName), MarkerType = MarkerType.Diamond, MarkerSize = 5, MarkerFill = OxyColors.Black, XAxisKey = "v", YAxisKey = "c" };
                for (int i = 0; i < markers.Count; i++) points.Points.Add(new ScatterPoint(Finite(markers[i]), i));
                model.Series.Add(points);
            }
            if (series.Count > 1 || markers != null) model.Legends.Add(new Legend { LegendPosition = LegendPosition.TopRight, LegendPlacement = LegendPlacement.Outside, LegendOrientation = LegendOrientation.Horizontal });
            return model;
        }

        public static double BarsHeight(int categories, int seriesSideBySide = 1) => Math.Max(220, 110 + categories * RowHeight * Math.Max(1, seriesSideBySide * 0.75));

        /// <summary>Box plots of sample sets (quartiles, whiskers at the extremes), one per name.</summary>
        public static PlotModel Boxes(string title, string? subtitle, string valueAxis, IReadOnlyList<(string Name, double[] Samples)> sets)
        {
            var model = NewModel(title, subtitle);
            var cat = new CategoryAxis { Position = AxisPosition.Bottom, Key = "c", IsZoomEnabled = false };
            cat.Labels.AddRange(sets.Select(s => Label(s.Name)));
            model.Axes.Add(cat);
            model.Axes.Add(new LinearAxis
            {
                Position = AxisPosition.Left, Title = Clean(valueAxis), Key = "v", MinimumPadding = 0.05, MaximumPadding = 0.05,
                MajorGridlineStyle = LineStyle.Dot, MajorGridlineColor = OxyColor.FromRgb(0xdd, 0xdd, 0xdd),
            });
            var boxes = new BoxPlotSeries { Fill = OxyColor.FromAColor(90, File), Stroke = OxyColors.Black, XAxisKey = "c", YAxisKey = "v", BoxWidth = 0.4 };
            for (int i = 0; i < sets.Count; i++)
            {
                var s = Stats.Of(sets[i].Samples);
                if (s.Count == 0) continue;
                boxes.Items.Add(new BoxPlotItem(i, s.Min, s.Q1, s.Median, s.Q3, s.Max));
            }
            model.Series.Add(boxes);
            return model;
        }

        private static PlotModel NewModel(string title, string? subtitle) => new PlotModel
        {
            Title = Clean(title),
            Subtitle = subtitle == null ? null : Clean(subtitle),
            Culture = CultureInfo.InvariantCulture,
            DefaultFont = "Arial",
            DefaultFontSize = 12,
            TitleFontSize = 15,
            SubtitleFontSize = 12,
            Background = OxyColors.White,
            PlotAreaBorderColor = OxyColor.FromRgb(0x99, 0x99, 0x99),
        };

        private static double Finite(double v) => double.IsNaN(v) || double.IsInfinity(v) ? 0 : v;

        /// <summary>A category label short enough for the axis (the table beside the chart has it whole).</summary>
        private static string Label(string s)
        {
            s = Clean(s);
            return s.Length <= MaxLabel ? s : s.Substring(0, MaxLabel - 1) + "…";
        }

        /// <summary>Text that XML can carry: control characters (a hostile name may hold them) become U+FFFD.</summary>
        public static string Clean(string s)
        {
            bool Bad(int i)
            {
                char c = s[i];
                return (c < 0x20 && c != '\t' && c != '\n') || c == 0xFFFE || c == 0xFFFF
                    || (char.IsHighSurrogate(c) && !(i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])))
                    || (char.IsLowSurrogate(c) && !(i > 0 && char.IsHighSurrogate(s[i - 1])));
            }
            int first = 0;
            while (first < s.Length && !Bad(first)) first++;
            if (first == s.Length) return s;
            var sb = new StringBuilder(s, 0, first, s.Length);
            for (int i = first; i < s.Length; i++) sb.Append(Bad(i) ? '\uFFFD' : s[i]);
            return sb.ToString();
        }

        private static readonly Regex XmlDeclaration = new Regex(@"^\s*<\?xml[^>]*\?>\s*", RegexOptions.CultureInvariant);
        private static readonly Regex SvgOpen = new Regex(@"<svg\b[^>]*>", RegexOptions.CultureInvariant);

        /// <summary>
        /// The chart as inline SVG for an HTML page: its own ids (OxyPlot numbers clip paths from 1 in every export, and ids
        /// must be unique in the page), a viewBox so it scales to the page and the printer, and its title for screen readers.
        /// </summary>
        public static string Svg(PlotModel model, double height, string id, string description)
        {
            string svg = SvgExporter.ExportToString(model, Width, height, false, new PixelMeasurer(), true);
            svg = XmlDeclaration.Replace(svg, "");
            svg = svg.Replace("\"clipPath", "\"" + id + "-clip").Replace("url(#clipPath", "url(#" + id + "-clip");
            string w = Width.ToString("0", CultureInfo.InvariantCulture), h = height.ToString("0", CultureInfo.InvariantCulture);
            string open = $"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{id}\" class=\"chart\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-title\">" +
                          $"<title id=\"{id}-title\">{Html.Escape(description)}</title>";
            svg = SvgOpen.Replace(svg, open, 1);
            return svg.Replace("\r\n", "\n").Trim();
        }
    }

    /// <summary>
    /// Text measured in CSS pixels, which SVG's font-size is in. OxyPlot's SVG export measures with its PDF context (the
    /// metrics of the standard PDF fonts, Helvetica for Arial: managed, no font library), which answers in points (3/4 of a
    /// pixel): labels then get 3/4 of the room they take in a browser and are clipped. 5% more leaves room for the face the
    /// browser picks (Liberation Sans for Arial on Linux, whose digits and underscores run a little wider).
    /// </summary>
    internal sealed class PixelMeasurer : RenderContextBase
    {
        private readonly PdfRenderContext _pdf = new PdfRenderContext(ReportCharts.Width, 100, OxyColors.White);

        public override OxySize MeasureText(string text, string fontFamily = null!, double fontSize = 10, double fontWeight = 500)
        {
            var size = _pdf.MeasureText(text, fontFamily, fontSize, fontWeight);
            return new OxySize(size.Width * 4 / 3 * 1.05, size.Height * 4 / 3);
        }

        // A measurer only: the SVG context draws.
        public override int ClipCount => 0;
        public override void DrawLine(IList<ScreenPoint> points, OxyColor stroke, double thickness, EdgeRenderingMode edgeRenderingMode, double[] dashArray, LineJoin lineJoin) => throw new NotSupportedException();
        public override void DrawPolygon(IList<ScreenPoint> points, OxyColor fill, OxyColor stroke, double thickness, EdgeRenderingMode edgeRenderingMode, double[] dashArray, LineJoin lineJoin) => throw new NotSupportedException();
        public override void DrawText(ScreenPoint p, string text, OxyColor fill, string fontFamily, double fontSize, double fontWeight, double rotation, OxyPlot.HorizontalAlignment halign, OxyPlot.VerticalAlignment valign, OxySize? maxSize) => throw new NotSupportedException();
        public override void PopClip() => throw new NotSupportedException();
        public override void PushClip(OxyRect clippingRectangle) => throw new NotSupportedException();
    }

    /// <summary>Summary statistics of a sample set (type 7 quantiles, as R and NumPy default to).</summary>
    internal readonly struct Stats
    {
        public int Count { get; }
        public double Min { get; }
        public double Q1 { get; }
        public double Median { get; }
        public double Q3 { get; }
        public double P90 { get; }
        public double Max { get; }
        public double Mean { get; }

        private Stats(double[] sorted)
        {
            Count = sorted.Length;
            Min = sorted[0];
            Max = sorted[sorted.Length - 1];
            Q1 = Quantile(sorted, 0.25);
            Median = Quantile(sorted, 0.5);
            Q3 = Quantile(sorted, 0.75);
            P90 = Quantile(sorted, 0.9);
            Mean = sorted.Average();
        }

        public static Stats Of(double[] samples)
        {
            var sorted = samples.Where(v => !double.IsNaN(v) && !double.IsInfinity(v)).OrderBy(v => v).ToArray();
            return sorted.Length == 0 ? default : new Stats(sorted);
        }

        private static double Quantile(double[] sorted, double q)
        {
            double h = (sorted.Length - 1) * q;
            int lo = (int)Math.Floor(h);
            return lo + 1 < sorted.Length ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
        }
    }
}
