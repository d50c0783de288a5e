namespace EdgeRouter.Routing.Costs;

/// <summary>
/// The monthly cost of one scenario under each of its strategies, as computed by <see cref="CostSimulator"/>.
/// Every amount is exact (decimal arithmetic, no rounding; trailing zeros removed); round only to print.
/// </summary>
/// <param name="RequestsPerMonth">The scenario's monthly request volume.</param>
/// <param name="Classes">The traffic classes with their shares and token counts, in the scenario's order.</param>
/// <param name="Prices">The price table, in the scenario's order.</param>
/// <param name="Baseline">Name of the first strategy, which savings are measured against.</param>
/// <param name="Strategies">One entry per strategy, in the scenario's order.</param>
public sealed record CostReport(
    long RequestsPerMonth,
    IReadOnlyList<TrafficClass> Classes,
    IReadOnlyList<PricedModel> Prices,
    string Baseline,
    IReadOnlyList<StrategyCost> Strategies);

/// <summary>One traffic class of the scenario.</summary>
/// <param name="Name">The class (<c>trivial</c>, <c>mid</c>, …).</param>
/// <param name="Share">Its share of the requests, in [0,1].</param>
/// <param name="Requests">Requests per month of this class (before any cache).</param>
/// <param name="InputTokensPerRequest">Input tokens per request of this class, after its override if any.</param>
/// <param name="OutputTokensPerRequest">Output tokens per request of this class, after its override if any.</param>
public sealed record TrafficClass(
    string Name,
    decimal Share,
    decimal Requests,
    decimal InputTokensPerRequest,
    decimal OutputTokensPerRequest);

/// <summary>One model of the price table.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="InputPricePerMillion">USD per million input tokens.</param>
/// <param name="OutputPricePerMillion">USD per million output tokens.</param>
public sealed record PricedModel(string Model, decimal InputPricePerMillion, decimal OutputPricePerMillion);

/// <summary>What one strategy costs per month and where the money goes.</summary>
/// <param name="Name">The strategy's name (given, or made from its kind and models).</param>
/// <param name="Kind"><c>static</c>, <c>cascade</c> or <c>routed</c>.</param>
/// <param name="MonthlyCost">USD per month: the sum of every item of the breakdown.</param>
/// <param name="CostPerRequest">USD per request: <paramref name="MonthlyCost"/> over the monthly requests (cache hits included).</param>
/// <param name="Savings">USD per month saved against the baseline (negative when this strategy costs more; 0 for the baseline).</param>
/// <param name="SavingsShare"><paramref name="Savings"/> as a share of the baseline's monthly cost; null when the baseline costs nothing.</param>
/// <param name="Models">Calls, tokens and cost per model the strategy uses, in price-table order.</param>
/// <param name="Verifier">The cascade's verifier; null for other kinds.</param>
/// <param name="Router">The router's overhead; null unless the kind is <c>routed</c>.</param>
/// <param name="Cache">The cache's hits and costs; null without a cache.</param>
public sealed record StrategyCost(
    string Name,
    string Kind,
    decimal MonthlyCost,
    decimal CostPerRequest,
    decimal Savings,
    decimal? SavingsShare,
    IReadOnlyList<ModelUsage> Models,
    VerifierUsage? Verifier,
    RouterUsage? Router,
    CacheUsage? Cache);

/// <summary>One model's traffic and token cost in a month.</summary>
/// <param name="Model">The model (a name in the price table).</param>
/// <param name="Calls">Requests sent to it per month (a cascade sends escalated requests to several tiers).</param>
/// <param name="InputTokens">Input tokens per month.</param>
/// <param name="OutputTokens">Output tokens per month.</param>
/// <param name="Cost">USD per month: tokens times the price per million tokens.</param>
public sealed record ModelUsage(string Model, decimal Calls, decimal InputTokens, decimal OutputTokens, decimal Cost);

/// <summary>A cascade's verifier in a month.</summary>
/// <param name="Checks">Answers verified per month (every tier's answer but the last tier's).</param>
/// <param name="Cost">USD per month.</param>
public sealed record VerifierUsage(decimal Checks, decimal Cost);

/// <summary>A router's overhead in a month.</summary>
/// <param name="Requests">Requests routed per month (cache hits are not).</param>
/// <param name="Cost">USD per month.</param>
public sealed record RouterUsage(decimal Requests, decimal Cost);

/// <summary>A cache in a month.</summary>
/// <param name="Hits">Requests answered from the cache per month.</param>
/// <param name="HitCost">USD per month for the hits.</param>
/// <param name="FixedCost">USD per month for the cache's infrastructure.</param>
public sealed record CacheUsage(decimal Hits, decimal HitCost, decimal FixedCost);
