using System.Globalization;
using System.Security;
using System.Text;

namespace EdgeRouter.Routing.Evaluation;

/// <summary>
/// Draws one benchmark's quality-versus-strong-calls curves as a standalone SVG: every router's exact curve as a
/// polyline with its 10-bin (RouteLLM) points as dots, dashed strong-only and weak-only lines, axes with ticks, and a
/// legend. Hand-written SVG 1.1, no dependencies. Pure; thread-safe.
/// </summary>
public static class SvgCurvePlot
{
    private const double Width = 860;
    private const double Height = 480;
    private const double Left = 70;
    private const double Right = 255;
    private const double Top = 40;
    private const double Bottom = 55;

    /// <summary>Colours by router position (Tableau 10), then repeating.</summary>
    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];

    /// <summary>The SVG document for <paramref name="evaluation"/>.</summary>
    public static string Render(BenchmarkEvaluation evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var benchmark = evaluation.Benchmark;
        var curves = evaluation.Routers.Select(r => EvaluationReport.Sample(r.Full.Curve)).ToList();
        var qualities = curves.SelectMany(c => c.Select(p => p.Quality))
            .Concat(evaluation.Routers.SelectMany(r => r.Quantile.Curve.Points.Select(p => p.Quality)))
            .Append(benchmark.StrongOnlyQuality).Append(benchmark.WeakOnlyQuality).ToList();
        var (yMin, yMax, yStep) = NiceRange(qualities.Min(), qualities.Max());
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(double share) => Left + share * plotWidth;
        double Y(double quality) => Top + (yMax - quality) / (yMax - yMin) * plotHeight;

        var svg = new StringBuilder();
        svg.Append(Invariant($"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="sans-serif" font-size="12">"""));
        svg.Append('\n');
        svg.Append(Invariant($"""<rect width="{Width}" height="{Height}" fill="white"/>""")).Append('\n');
        svg.Append(Invariant($"""<text x="{Width / 2}" y="22" text-anchor="middle" font-size="15">{Escape(benchmark.Title)}: quality vs strong-model calls (n = {benchmark.Count})</text>""")).Append('\n');

        // Grid and ticks.
        for (var share = 0; share <= 100; share += 10)
        {
            var x = X(share / 100.0);
            svg.Append(Invariant($"""<line x1="{x:F1}" y1="{Top}" x2="{x:F1}" y2="{Top + plotHeight}" stroke="#e6e6e6"/>""")).Append('\n');
            svg.Append(Invariant($"""<text x="{x:F1}" y="{Top + plotHeight + 18}" text-anchor="middle">{share}</text>""")).Append('\n');
        }

        for (var q = yMin; q <= yMax + yStep / 2; q += yStep)
        {
            var y = Y(q);
            svg.Append(Invariant($"""<line x1="{Left}" y1="{y:F1}" x2="{Left + plotWidth}" y2="{y:F1}" stroke="#e6e6e6"/>""")).Append('\n');
            svg.Append(Invariant($"""<text x="{Left - 8}" y="{y + 4:F1}" text-anchor="end">{FormatTick(q, yStep)}</text>""")).Append('\n');
        }

        svg.Append(Invariant($"""<rect x="{Left}" y="{Top}" width="{plotWidth}" height="{plotHeight}" fill="none" stroke="#333"/>""")).Append('\n');
        svg.Append(Invariant($"""<text x="{Left + plotWidth / 2}" y="{Height - 12}" text-anchor="middle">strong-model calls (%)</text>""")).Append('\n');
        svg.Append(Invariant($"""<text transform="translate(18 {Top + plotHeight / 2}) rotate(-90)" text-anchor="middle">quality ({Escape(benchmark.QualityUnit)})</text>""")).Append('\n');

        // Reference lines.
        var legend = new List<(string Label, string Colour, bool Dashed)>();
        svg.Append(Invariant($"""<line x1="{Left}" y1="{Y(benchmark.StrongOnlyQuality):F1}" x2="{Left + plotWidth}" y2="{Y(benchmark.StrongOnlyQuality):F1}" stroke="#d62728" stroke-dasharray="6 4"/>""")).Append('\n');
        svg.Append(Invariant($"""<line x1="{Left}" y1="{Y(benchmark.WeakOnlyQuality):F1}" x2="{Left + plotWidth}" y2="{Y(benchmark.WeakOnlyQuality):F1}" stroke="#7f7f7f" stroke-dasharray="6 4"/>""")).Append('\n');

        for (var r = 0; r < evaluation.Routers.Count; r++)
        {
            var router = evaluation.Routers[r];
            var colour = Palette[r % Palette.Length];
            var points = string.Join(' ', curves[r].Select(p => Invariant($"{X(p.StrongShare):F1},{Y(p.Quality):F1}")));
            svg.Append(Invariant($"""<polyline fill="none" stroke="{colour}" stroke-width="1.8" points="{points}"/>""")).Append('\n');
            foreach (var p in router.Quantile.Curve.Points)
            {
                svg.Append(Invariant($"""<circle cx="{X(p.StrongShare):F1}" cy="{Y(p.Quality):F1}" r="3" fill="{colour}"/>""")).Append('\n');
            }

            legend.Add((Invariant($"{router.Router} (APGR {router.Quantile.Apgr:F3})"), colour, false));
        }

        legend.Add((Invariant($"strong only ({benchmark.StrongOnlyQuality:F2})"), "#d62728", true));
        legend.Add((Invariant($"weak only ({benchmark.WeakOnlyQuality:F2})"), "#7f7f7f", true));
        var legendX = Left + plotWidth + 14;
        for (var i = 0; i < legend.Count; i++)
        {
            var (label, colour, dashed) = legend[i];
            var y = Top + 10 + i * 20;
            var dash = dashed ? " stroke-dasharray=\"6 4\"" : "";
            svg.Append(Invariant($"""<line x1="{legendX}" y1="{y}" x2="{legendX + 22}" y2="{y}" stroke="{colour}" stroke-width="2"{dash}/>""")).Append('\n');
            svg.Append(Invariant($"""<text x="{legendX + 28}" y="{y + 4}">{Escape(label)}</text>""")).Append('\n');
        }

        svg.Append(Invariant($"""<text x="{legendX}" y="{Top + 10 + legend.Count * 20 + 6}" font-size="10" fill="#555">lines: exact curve; dots: 10-bin</text>""")).Append('\n');
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>An axis range with 4–10 ticks at 1, 2 or 5 × 10^k that covers [min, max].</summary>
    internal static (double Min, double Max, double Step) NiceRange(double min, double max)
    {
        if (max <= min)
        {
            (min, max) = (min - 1, max + 1);
        }

        var raw = (max - min) / 6;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = (raw / magnitude) switch
        {
            <= 1 => magnitude,
            <= 2 => 2 * magnitude,
            <= 5 => 5 * magnitude,
            _ => 10 * magnitude,
        };
        return (Math.Floor(min / step) * step, Math.Ceiling(max / step) * step, step);
    }

    private static string FormatTick(double value, double step) =>
        value.ToString(step >= 1 ? "F0" : step >= 0.1 ? "F1" : "F2", CultureInfo.InvariantCulture);

    private static string Escape(string text) => SecurityElement.Escape(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
