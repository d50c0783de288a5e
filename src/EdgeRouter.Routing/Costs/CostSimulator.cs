namespace EdgeRouter.Routing.Costs;

/// <summary>
/// Computes the monthly cost of a <see cref="CostScenario"/> under each of its strategies, exactly: every figure is
/// decimal arithmetic on the numbers as written (28 significant digits), never rounded.
/// </summary>
/// <remarks>
/// For each strategy, a cache (if any) answers <c>hitRate</c> of the requests of every class first; the rest, the
/// misses, run the strategy. Per class, with <c>V</c> the missed requests of the class:
/// <list type="bullet">
/// <item><c>static</c>: <c>V</c> calls to the model.</item>
/// <item><c>cascade</c>: <c>V</c> calls to tier 1; the requests that reach tier <c>i</c> (not the last) are all
/// verified, then <c>rate[i]</c> of them reach tier <c>i+1</c>; the last tier is not verified.</item>
/// <item><c>routed</c>: <c>V × share</c> calls to each model of the class's distribution, and <c>V</c> routed
/// requests charged the router overhead.</item>
/// </list>
/// A model call costs the class's input tokens × input price + output tokens × output price, prices being per
/// million tokens. The monthly cost is the sum of model calls, verifier checks, router overhead, cache hits and
/// the cache's fixed cost. Thread-safe: no state.
/// </remarks>
public static class CostSimulator
{
    private const decimal TokensPerPriceUnit = 1_000_000m;

    /// <summary>Prices every strategy of <paramref name="scenario"/>.</summary>
    /// <exception cref="ArgumentException">The scenario is invalid (see <see cref="CostScenarioValidator"/>); the message lists every problem.</exception>
    public static CostReport Simulate(CostScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var errors = CostScenarioValidator.Validate(scenario);
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid cost scenario:\n" + string.Join('\n', errors), nameof(scenario));
        }

        var requests = (decimal)scenario.RequestsPerMonth!.Value;
        var classes = scenario.Mix
            .Select(m => new TrafficClass(m.Key, Normalize(m.Value), Normalize(requests * m.Value),
                Normalize(scenario.InputTokensOf(m.Key)), Normalize(scenario.OutputTokensOf(m.Key))))
            .ToList();
        var prices = scenario.Prices
            .Select(p => new PricedModel(p.Key, Normalize(p.Value.InputPricePerMillion!.Value), Normalize(p.Value.OutputPricePerMillion!.Value)))
            .ToList();
        var strategies = new List<StrategyCost>(scenario.Strategies.Count);
        foreach (var strategy in scenario.Strategies)
        {
            strategies.Add(Price(scenario, strategy, requests, strategies.Count > 0 ? strategies[0].MonthlyCost : null));
        }

        return new CostReport(scenario.RequestsPerMonth.Value, classes, prices, strategies[0].Name, strategies);
    }

    /// <summary>The strategy's name: the one given, else its kind and models (<c>cascade cheap → strong</c>), with <c> + cache</c> when it has one.</summary>
    public static string NameOf(CostStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        if (strategy.Name is not null)
        {
            return strategy.Name;
        }

        var name = strategy.Kind switch
        {
            CostStrategy.StaticKind => $"static {strategy.Model}",
            CostStrategy.CascadeKind => $"cascade {string.Join(" → ", strategy.Tiers ?? [])}",
            _ => strategy.Kind ?? "strategy",
        };
        return strategy.Cache is null ? name : name + " + cache";
    }

    private static StrategyCost Price(CostScenario scenario, CostStrategy strategy, decimal requests, decimal? baseline)
    {
        var hitRate = strategy.Cache?.HitRate ?? 0m;
        var missed = requests * (1m - hitRate);
        var calls = new Dictionary<string, (decimal Calls, decimal Input, decimal Output)>(StringComparer.Ordinal);
        void Call(string model, decimal count, decimal input, decimal output)
        {
            var tally = calls.GetValueOrDefault(model);
            calls[model] = (tally.Calls + count, tally.Input + count * input, tally.Output + count * output);
        }

        decimal verified = 0m, routed = 0m;
        foreach (var (trafficClass, share) in scenario.Mix)
        {
            var volume = missed * share;
            var input = scenario.InputTokensOf(trafficClass);
            var output = scenario.OutputTokensOf(trafficClass);
            switch (strategy.Kind)
            {
                case CostStrategy.StaticKind:
                    Call(strategy.Model!, volume, input, output);
                    break;
                case CostStrategy.CascadeKind:
                    var tiers = strategy.Tiers!;
                    var rates = strategy.EscalationByClass?.GetValueOrDefault(trafficClass) ?? strategy.Escalation!;
                    var reaching = volume;
                    for (var t = 0; t < tiers.Count; t++)
                    {
                        Call(tiers[t], reaching, input, output);
                        if (t < tiers.Count - 1)
                        {
                            verified += reaching;
                            reaching *= rates[t];
                        }
                    }

                    break;
                default:
                    foreach (var (model, modelShare) in strategy.Distribution![trafficClass])
                    {
                        Call(model, volume * modelShare, input, output);
                    }

                    routed += volume;
                    break;
            }
        }

        // Models in price-table order, so that every strategy of a report lists them alike.
        var models = scenario.Prices
            .Where(p => calls.ContainsKey(p.Key))
            .Select(p =>
            {
                var (count, input, output) = calls[p.Key];
                var cost = (input * p.Value.InputPricePerMillion!.Value + output * p.Value.OutputPricePerMillion!.Value) / TokensPerPriceUnit;
                return new ModelUsage(p.Key, Normalize(count), Normalize(input), Normalize(output), Normalize(cost));
            })
            .ToList();
        var verifier = strategy.Kind == CostStrategy.CascadeKind
            ? new VerifierUsage(Normalize(verified), Normalize(verified * (strategy.VerifierCost ?? 0m)))
            : null;
        var router = strategy.Kind == CostStrategy.RoutedKind
            ? new RouterUsage(Normalize(routed), Normalize(routed * (strategy.RouterOverhead ?? 0m)))
            : null;
        CacheUsage? cache = null;
        if (strategy.Cache is { } settings)
        {
            var hits = requests * hitRate;
            cache = new CacheUsage(Normalize(hits), Normalize(hits * (settings.CostPerHit ?? 0m)), Normalize(settings.MonthlyFixedCost ?? 0m));
        }

        var total = Normalize(models.Sum(m => m.Cost) + (verifier?.Cost ?? 0m) + (router?.Cost ?? 0m) + (cache?.HitCost ?? 0m) + (cache?.FixedCost ?? 0m));
        var reference = baseline ?? total;
        var savings = Normalize(reference - total);
        return new StrategyCost(
            NameOf(strategy),
            strategy.Kind!,
            total,
            Normalize(total / requests),
            savings,
            reference == 0m ? null : Normalize(savings / reference),
            models,
            verifier,
            router,
            cache);
    }

    /// <summary>The same value with trailing zeros removed (<c>224.000000</c> → <c>224</c>), so JSON output reads as written.</summary>
    private static decimal Normalize(decimal value) => value / 1.0000000000000000000000000000m;
}
