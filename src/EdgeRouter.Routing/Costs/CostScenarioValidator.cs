using System.Globalization;
using EdgeRouter.Configuration;

namespace EdgeRouter.Routing.Costs;

/// <summary>
/// Checks a <see cref="CostScenario"/> and reports every problem with its JSON path
/// (<c>mix.trivial must be in [0,1], got 1.2</c>), not just the first.
/// </summary>
/// <remarks>
/// Volumes, token counts and amounts have generous upper bounds (a trillion requests a month, ten million tokens per
/// request, a million dollars per million tokens or per request) so that no figure can overflow a decimal.
/// </remarks>
public static class CostScenarioValidator
{
    private const long MaxRequestsPerMonth = 1_000_000_000_000;
    private const decimal MaxTokensPerRequest = 10_000_000m;
    private const decimal MaxUnitCost = 1_000_000m;
    private const decimal MaxMonthlyCost = 1_000_000_000_000m;

    /// <summary>Returns every problem of <paramref name="scenario"/>, in document order; empty when it can be simulated.</summary>
    public static IReadOnlyList<ConfigError> Validate(CostScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var errors = new ConfigErrors();
        if (scenario.RequestsPerMonth is not { } requests)
        {
            errors.Add("requestsPerMonth", "is required");
        }
        else
        {
            errors.Require(requests is > 0 and <= MaxRequestsPerMonth, "requestsPerMonth", $"must be in [1, {MaxRequestsPerMonth}], got {requests}");
        }

        RequireAmount(scenario.InputTokensPerRequest, "inputTokensPerRequest", required: true, MaxTokensPerRequest, errors);
        RequireAmount(scenario.OutputTokensPerRequest, "outputTokensPerRequest", required: true, MaxTokensPerRequest, errors);
        ValidateShares(scenario.Mix, "mix", "traffic class", errors);
        foreach (var (trafficClass, tokens) in scenario.TokensByClass)
        {
            var path = Path("tokensByClass", trafficClass);
            if (!scenario.Mix.ContainsKey(trafficClass))
            {
                errors.Add(path, $"'{trafficClass}' is not a traffic class of mix");
            }

            if (tokens is null)
            {
                // The binder lets null through for dictionary values and list elements.
                errors.Add(path, "must be an object, got null");
                continue;
            }

            RequireAmount(tokens.InputTokensPerRequest, path + ".inputTokensPerRequest", required: false, MaxTokensPerRequest, errors);
            RequireAmount(tokens.OutputTokensPerRequest, path + ".outputTokensPerRequest", required: false, MaxTokensPerRequest, errors);
        }

        errors.Require(scenario.Prices.Count > 0, "prices", "must list at least one model");
        foreach (var (model, price) in scenario.Prices)
        {
            var path = Path("prices", model);
            if (price is null)
            {
                errors.Add(path, "must be an object, got null");
                continue;
            }

            RequireAmount(price.InputPricePerMillion, path + ".inputPricePerMillion", required: true, MaxUnitCost, errors);
            RequireAmount(price.OutputPricePerMillion, path + ".outputPricePerMillion", required: true, MaxUnitCost, errors);
        }

        errors.Require(scenario.Strategies.Count > 0, "strategies", "must list at least one strategy");
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < scenario.Strategies.Count; i++)
        {
            var path = $"strategies[{i}]";
            var strategy = scenario.Strategies[i];
            if (strategy is null)
            {
                errors.Add(path, "must be an object, got null");
                continue;
            }

            ValidateStrategy(scenario, strategy, path, errors);
            var name = CostSimulator.NameOf(strategy);
            if (names.TryGetValue(name, out var first))
            {
                errors.Add(path + ".name", $"'{name}' is already the name of strategies[{first}]");
            }
            else
            {
                names.Add(name, i);
            }
        }

        return errors.Items;
    }

    private static void ValidateStrategy(CostScenario scenario, CostStrategy strategy, string path, ConfigErrors errors)
    {
        if (strategy.Name is { Length: 0 })
        {
            errors.Add(path + ".name", "must not be empty (omit it for a generated name)");
        }

        switch (strategy.Kind)
        {
            case null:
                errors.Add(path + ".kind", "is required (static, cascade or routed)");
                break;
            case CostStrategy.StaticKind:
                ValidateStatic(scenario, strategy, path, errors);
                break;
            case CostStrategy.CascadeKind:
                ValidateCascade(scenario, strategy, path, errors);
                break;
            case CostStrategy.RoutedKind:
                ValidateRouted(scenario, strategy, path, errors);
                break;
            default:
                errors.Add(path + ".kind", $"must be static, cascade or routed, got '{strategy.Kind}'");
                break;
        }

        if (strategy.Cache is { } cache)
        {
            RequireRate(cache.HitRate, path + ".cache.hitRate", required: true, errors);
            RequireAmount(cache.CostPerHit, path + ".cache.costPerHit", required: false, MaxUnitCost, errors);
            RequireAmount(cache.MonthlyFixedCost, path + ".cache.monthlyFixedCost", required: false, MaxMonthlyCost, errors);
        }
    }

    private static void ValidateStatic(CostScenario scenario, CostStrategy strategy, string path, ConfigErrors errors)
    {
        if (strategy.Model is null)
        {
            errors.Add(path + ".model", "is required");
        }
        else
        {
            RequireKnownModel(scenario, strategy.Model, path + ".model", errors);
        }

        RejectForeign(strategy.Tiers, path, "tiers", CostStrategy.StaticKind, errors);
        RejectForeign(strategy.VerifierCost, path, "verifierCost", CostStrategy.StaticKind, errors);
        RejectForeign(strategy.Escalation, path, "escalation", CostStrategy.StaticKind, errors);
        RejectForeign(strategy.EscalationByClass, path, "escalationByClass", CostStrategy.StaticKind, errors);
        RejectForeign(strategy.Distribution, path, "distribution", CostStrategy.StaticKind, errors);
        RejectForeign(strategy.RouterOverhead, path, "routerOverhead", CostStrategy.StaticKind, errors);
    }

    private static void ValidateCascade(CostScenario scenario, CostStrategy strategy, string path, ConfigErrors errors)
    {
        var tiers = strategy.Tiers;
        if (tiers is null || tiers.Count < 2)
        {
            errors.Add(path + ".tiers", tiers is null ? "is required (at least two models)" : $"must list at least two models, got {tiers.Count}");
        }

        for (var t = 0; t < (tiers?.Count ?? 0); t++)
        {
            if (tiers![t] is null)
            {
                errors.Add($"{path}.tiers[{t}]", "must be a model name, got null");
            }
            else
            {
                RequireKnownModel(scenario, tiers[t], $"{path}.tiers[{t}]", errors);
            }
        }

        RequireAmount(strategy.VerifierCost, path + ".verifierCost", required: false, MaxUnitCost, errors);
        var expected = tiers is { Count: >= 2 } ? tiers.Count - 1 : (int?)null;
        if (strategy.Escalation is null)
        {
            errors.Add(path + ".escalation", "is required (one rate per tier but the last)");
        }
        else
        {
            ValidateRates(strategy.Escalation, path + ".escalation", expected, errors);
        }

        foreach (var (trafficClass, rates) in strategy.EscalationByClass ?? new Dictionary<string, IReadOnlyList<decimal>>())
        {
            var classPath = Path(path + ".escalationByClass", trafficClass);
            if (!scenario.Mix.ContainsKey(trafficClass))
            {
                errors.Add(classPath, $"'{trafficClass}' is not a traffic class of mix");
            }

            if (rates is null)
            {
                errors.Add(classPath, "must be a list of rates, got null");
                continue;
            }

            ValidateRates(rates, classPath, expected, errors);
        }

        RejectForeign(strategy.Model, path, "model", CostStrategy.CascadeKind, errors);
        RejectForeign(strategy.Distribution, path, "distribution", CostStrategy.CascadeKind, errors);
        RejectForeign(strategy.RouterOverhead, path, "routerOverhead", CostStrategy.CascadeKind, errors);
    }

    private static void ValidateRates(IReadOnlyList<decimal> rates, string path, int? expected, ConfigErrors errors)
    {
        if (expected is { } count && rates.Count != count)
        {
            errors.Add(path, $"must have {count} rate(s), one per tier but the last, got {rates.Count}");
        }

        for (var r = 0; r < rates.Count; r++)
        {
            RequireRate(rates[r], $"{path}[{r}]", required: true, errors);
        }
    }

    private static void ValidateRouted(CostScenario scenario, CostStrategy strategy, string path, ConfigErrors errors)
    {
        var distribution = strategy.Distribution;
        if (distribution is null)
        {
            errors.Add(path + ".distribution", "is required (for each traffic class, the share of each model)");
        }
        else
        {
            foreach (var trafficClass in scenario.Mix.Keys.Where(c => !distribution.ContainsKey(c)))
            {
                errors.Add(Path(path + ".distribution", trafficClass), "is missing: every traffic class of mix needs a distribution");
            }

            foreach (var (trafficClass, shares) in distribution)
            {
                var classPath = Path(path + ".distribution", trafficClass);
                if (!scenario.Mix.ContainsKey(trafficClass))
                {
                    errors.Add(classPath, $"'{trafficClass}' is not a traffic class of mix");
                }

                if (shares is null)
                {
                    errors.Add(classPath, "must be an object of model shares, got null");
                    continue;
                }

                ValidateShares(shares, classPath, "model", errors);
                foreach (var model in shares.Keys)
                {
                    RequireKnownModel(scenario, model, Path(classPath, model), errors);
                }
            }
        }

        RequireAmount(strategy.RouterOverhead, path + ".routerOverhead", required: false, MaxUnitCost, errors);
        RejectForeign(strategy.Model, path, "model", CostStrategy.RoutedKind, errors);
        RejectForeign(strategy.Tiers, path, "tiers", CostStrategy.RoutedKind, errors);
        RejectForeign(strategy.VerifierCost, path, "verifierCost", CostStrategy.RoutedKind, errors);
        RejectForeign(strategy.Escalation, path, "escalation", CostStrategy.RoutedKind, errors);
        RejectForeign(strategy.EscalationByClass, path, "escalationByClass", CostStrategy.RoutedKind, errors);
    }

    /// <summary>Shares in [0,1] summing to exactly 1 (decimals as written, so no tolerance is needed).</summary>
    private static void ValidateShares(IReadOnlyDictionary<string, decimal> shares, string path, string what, ConfigErrors errors)
    {
        if (shares.Count == 0)
        {
            errors.Add(path, $"must list at least one {what}");
            return;
        }

        foreach (var (name, share) in shares)
        {
            RequireRate(share, Path(path, name), required: true, errors);
        }

        var sum = shares.Values.Sum();
        errors.Require(sum == 1m, path, $"shares must sum to 1, got {Show(sum)}");
    }

    private static void RequireKnownModel(CostScenario scenario, string model, string path, ConfigErrors errors) =>
        errors.Require(scenario.Prices.ContainsKey(model), path, $"'{model}' is not a model of the price table");

    private static void RequireRate(decimal? value, string path, bool required, ConfigErrors errors)
    {
        if (value is { } rate)
        {
            errors.Require(rate is >= 0m and <= 1m, path, $"must be in [0,1], got {Show(rate)}");
        }
        else if (required)
        {
            errors.Add(path, "is required");
        }
    }

    private static void RequireAmount(decimal? value, string path, bool required, decimal max, ConfigErrors errors)
    {
        if (value is { } amount)
        {
            if (amount < 0m)
            {
                errors.Add(path, $"must be >= 0, got {Show(amount)}");
            }
            else if (amount > max)
            {
                errors.Add(path, $"must be <= {Show(max)}, got {Show(amount)}");
            }
        }
        else if (required)
        {
            errors.Add(path, "is required");
        }
    }

    private static void RejectForeign(object? value, string path, string setting, string kind, ConfigErrors errors)
    {
        if (value is not null)
        {
            errors.Add($"{path}.{setting}", $"is not a setting of a {kind} strategy");
        }
    }

    /// <summary><c>prefix.key</c>, or <c>prefix['key']</c> when the key is not a plain word.</summary>
    internal static string Path(string prefix, string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? $"{prefix}.{key}"
            : $"{prefix}['{key}']";

    private static string Show(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
