using System.Globalization;
using System.Text;

namespace EdgeRouter.Routing.Costs;

/// <summary>
/// Renders a <see cref="CostReport"/> as markdown: a summary table (monthly cost, cost per request, savings against
/// the baseline), the monthly cost broken down by item and the monthly traffic per model, one column per strategy.
/// </summary>
/// <remarks>
/// Only the printed figures are rounded: money to the cent (half away from zero, so 3,266.088 prints as
/// $3,266.09), cost per request to a millionth of a dollar, shares to a tenth of a percent. A rounded breakdown
/// may therefore differ from its rounded total by a cent.
/// </remarks>
public static class CostReportMarkdown
{
    private const string NotApplicable = "–";

    /// <summary>The whole report, ending with a newline.</summary>
    public static string Format(CostReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# Monthly cost of {Count(report.RequestsPerMonth)} requests\n\n");
        text.Append("Traffic: ").Append(string.Join(" · ", report.Classes.Select(c => $"{c.Name} {Percent(c.Share)}")));
        var tokens = report.Classes.Select(c => (c.InputTokensPerRequest, c.OutputTokensPerRequest)).Distinct().ToList();
        if (tokens.Count == 1)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {Count(tokens[0].InputTokensPerRequest)} input + {Count(tokens[0].OutputTokensPerRequest)} output tokens per request.\n");
        }
        else
        {
            text.Append("; input + output tokens per request: ")
                .Append(string.Join(" · ", report.Classes.Select(c => $"{c.Name} {Count(c.InputTokensPerRequest)} + {Count(c.OutputTokensPerRequest)}")))
                .Append(".\n");
        }

        text.Append("Money is rounded to the cent for display; the computation is exact.\n\n");
        AppendSummary(text, report);
        AppendBreakdown(text, report);
        AppendTraffic(text, report);
        return text.ToString();
    }

    /// <summary>USD rounded to the cent, half away from zero: <c>$3,266.09</c>, <c>-$12.50</c>.</summary>
    public static string Money(decimal usd)
    {
        var cents = Math.Round(usd, 2, MidpointRounding.AwayFromZero);
        var digits = Math.Abs(cents).ToString("#,##0.00", CultureInfo.InvariantCulture);
        return cents < 0 ? "-$" + digits : "$" + digits;
    }

    private static void AppendSummary(StringBuilder text, CostReport report)
    {
        text.Append(CultureInfo.InvariantCulture, $"| strategy | monthly cost | per request | savings vs {Cell(report.Baseline)} |\n");
        text.Append("|---|---:|---:|---:|\n");
        for (var i = 0; i < report.Strategies.Count; i++)
        {
            var strategy = report.Strategies[i];
            var savings = i == 0
                ? "baseline"
                : Money(strategy.Savings) + (strategy.SavingsShare is { } share ? $" ({Percent(share)})" : "");
            text.Append(CultureInfo.InvariantCulture,
                $"| {Cell(strategy.Name)} | {Money(strategy.MonthlyCost)} | {PerRequest(strategy.CostPerRequest)} | {savings} |\n");
        }

        text.Append('\n');
    }

    private static void AppendBreakdown(StringBuilder text, CostReport report)
    {
        text.Append("## Cost breakdown (USD per month)\n\n");
        AppendHeader(text, "item", report);
        foreach (var model in ModelsOf(report))
        {
            AppendRow(text, model, report, s => s.Models.FirstOrDefault(m => m.Model == model) is { } usage ? Money(usage.Cost) : null);
        }

        if (report.Strategies.Any(s => s.Verifier is not null))
        {
            AppendRow(text, "verifier", report, s => s.Verifier is { } verifier ? Money(verifier.Cost) : null);
        }

        if (report.Strategies.Any(s => s.Router is not null))
        {
            AppendRow(text, "router overhead", report, s => s.Router is { } router ? Money(router.Cost) : null);
        }

        if (report.Strategies.Any(s => s.Cache is not null))
        {
            AppendRow(text, "cache hits", report, s => s.Cache is { } cache ? Money(cache.HitCost) : null);
            AppendRow(text, "cache infrastructure", report, s => s.Cache is { } cache ? Money(cache.FixedCost) : null);
        }

        AppendRow(text, "**total**", report, s => $"**{Money(s.MonthlyCost)}**");
        text.Append('\n');
    }

    private static void AppendTraffic(StringBuilder text, CostReport report)
    {
        text.Append("## Traffic per month (model rows: calls · input tokens · output tokens)\n\n");
        AppendHeader(text, "item", report);
        foreach (var model in ModelsOf(report))
        {
            AppendRow(text, model, report, s => s.Models.FirstOrDefault(m => m.Model == model) is { } usage
                ? $"{Count(usage.Calls)} · {Tokens(usage.InputTokens)} · {Tokens(usage.OutputTokens)}"
                : null);
        }

        if (report.Strategies.Any(s => s.Verifier is not null))
        {
            AppendRow(text, "verified answers", report, s => s.Verifier is { } verifier ? Count(verifier.Checks) : null);
        }

        if (report.Strategies.Any(s => s.Router is not null))
        {
            AppendRow(text, "routed requests", report, s => s.Router is { } router ? Count(router.Requests) : null);
        }

        if (report.Strategies.Any(s => s.Cache is not null))
        {
            AppendRow(text, "cache hits", report, s => s.Cache is { } cache ? Count(cache.Hits) : null);
        }
    }

    /// <summary>Every model some strategy uses, in price-table order.</summary>
    private static List<string> ModelsOf(CostReport report) =>
        report.Prices.Select(p => p.Model).Where(m => report.Strategies.Any(s => s.Models.Any(u => u.Model == m))).ToList();

    private static void AppendHeader(StringBuilder text, string first, CostReport report)
    {
        text.Append("| ").Append(first);
        foreach (var strategy in report.Strategies)
        {
            text.Append(" | ").Append(Cell(strategy.Name));
        }

        text.Append(" |\n|---").Append(string.Concat(Enumerable.Repeat("|---:", report.Strategies.Count))).Append("|\n");
    }

    private static void AppendRow(StringBuilder text, string label, CostReport report, Func<StrategyCost, string?> cell)
    {
        text.Append("| ").Append(Cell(label));
        foreach (var strategy in report.Strategies)
        {
            text.Append(" | ").Append(cell(strategy) ?? NotApplicable);
        }

        text.Append(" |\n");
    }

    private static string Cell(string value) => value.Replace("|", "\\|", StringComparison.Ordinal);

    private static string PerRequest(decimal usd) =>
        "$" + Math.Round(usd, 6, MidpointRounding.AwayFromZero).ToString("0.000000", CultureInfo.InvariantCulture);

    private static string Percent(decimal share) =>
        Math.Round(share * 100m, 1, MidpointRounding.AwayFromZero).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Count(decimal value) => value.ToString("#,##0.##", CultureInfo.InvariantCulture);

    /// <summary>Token counts in millions from a million up (<c>25.2M</c>), else in full.</summary>
    private static string Tokens(decimal value) => Math.Abs(value) >= 1_000_000m
        ? (value / 1_000_000m).ToString("#,##0.###", CultureInfo.InvariantCulture) + "M"
        : Count(value);
}
