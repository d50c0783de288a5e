namespace EdgeRouter.Routing.Costs;

/// <summary>
/// A monthly request volume, its traffic mix, a price table and the routing strategies to price against it: the
/// input of <see cref="CostSimulator"/>. Bound from JSON by <see cref="CostScenarioLoader"/> and checked by
/// <see cref="CostScenarioValidator"/>; a loaded instance is never changed.
/// </summary>
/// <remarks>
/// Every amount is a <see cref="decimal"/> so that the figures are exact: JSON numbers are read digit for digit.
/// Money is in USD, token prices in USD per million tokens. Setters rather than <c>init</c> accessors keep the
/// defaults below when a property is omitted (see <c>GatewayConfig</c>). Values that are required are nullable
/// so that a missing one is reported as missing rather than as zero.
/// </remarks>
public sealed record CostScenario
{
    /// <summary>Requests per month, &gt; 0. Required.</summary>
    public long? RequestsPerMonth { get; set; }

    /// <summary>Average input (prompt) tokens per request, ≥ 0. Required; a class may override it in <see cref="TokensByClass"/>.</summary>
    public decimal? InputTokensPerRequest { get; set; }

    /// <summary>Average output (completion) tokens per request, ≥ 0. Required; a class may override it in <see cref="TokensByClass"/>.</summary>
    public decimal? OutputTokensPerRequest { get; set; }

    /// <summary>
    /// Traffic classes and their shares of the requests, e.g. <c>{"trivial": 0.6, "mid": 0.3, "complex": 0.1}</c>.
    /// Each share is in [0,1] and the shares sum to exactly 1. At least one class.
    /// </summary>
    public IReadOnlyDictionary<string, decimal> Mix { get; set; } = new Dictionary<string, decimal>();

    /// <summary>Per-class token counts that replace the scenario's for requests of that class; keys are classes of <see cref="Mix"/>.</summary>
    public IReadOnlyDictionary<string, ClassTokens> TokensByClass { get; set; } = new Dictionary<string, ClassTokens>();

    /// <summary>The price table: model name → input and output price. At least one model.</summary>
    public IReadOnlyDictionary<string, ModelPrice> Prices { get; set; } = new Dictionary<string, ModelPrice>();

    /// <summary>The strategies to price, at least one. The first is the baseline that savings are measured against.</summary>
    public IReadOnlyList<CostStrategy> Strategies { get; set; } = [];

    /// <summary>Input tokens per request of <paramref name="trafficClass"/>: its override, else the scenario's.</summary>
    public decimal InputTokensOf(string trafficClass) =>
        TokensByClass.GetValueOrDefault(trafficClass)?.InputTokensPerRequest ?? InputTokensPerRequest ?? 0;

    /// <summary>Output tokens per request of <paramref name="trafficClass"/>: its override, else the scenario's.</summary>
    public decimal OutputTokensOf(string trafficClass) =>
        TokensByClass.GetValueOrDefault(trafficClass)?.OutputTokensPerRequest ?? OutputTokensPerRequest ?? 0;
}

/// <summary>Token counts of one traffic class; an omitted count falls back to the scenario's.</summary>
public sealed record ClassTokens
{
    /// <summary>Average input tokens per request of this class, ≥ 0; null for the scenario's.</summary>
    public decimal? InputTokensPerRequest { get; set; }

    /// <summary>Average output tokens per request of this class, ≥ 0; null for the scenario's.</summary>
    public decimal? OutputTokensPerRequest { get; set; }
}

/// <summary>The price of one model.</summary>
public sealed record ModelPrice
{
    /// <summary>USD per million input tokens, ≥ 0. Required.</summary>
    public decimal? InputPricePerMillion { get; set; }

    /// <summary>USD per million output tokens, ≥ 0. Required.</summary>
    public decimal? OutputPricePerMillion { get; set; }
}

/// <summary>
/// One routing strategy. <see cref="Kind"/> selects which settings apply; a setting of another kind is an error.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>static</c> (<see cref="Model"/>): every request goes to one model.</item>
/// <item><c>cascade</c> (<see cref="Tiers"/>, <see cref="VerifierCost"/>, <see cref="Escalation"/>,
/// <see cref="EscalationByClass"/>): every request is sent to the first tier. A request that reaches tier
/// <c>i</c> (1-based) and is not at the last tier has that tier's answer verified, costing
/// <see cref="VerifierCost"/>; the share <c>Escalation[i-1]</c> of the requests that reached tier <c>i</c> then
/// goes on to tier <c>i+1</c>. The last tier's answer is final and not verified. So with tiers A → B → C and rates
/// r₁, r₂, a month of N requests costs N·A + N·v + N·r₁·B + N·r₁·v + N·r₁·r₂·C: rates are conditional on reaching
/// the tier, not shares of all traffic.</item>
/// <item><c>routed</c> (<see cref="Distribution"/>, <see cref="RouterOverhead"/>): a router (Mixture-of-Routers or
/// any other) sends each class to models in the given shares, and costs <see cref="RouterOverhead"/> per request
/// it routes.</item>
/// </list>
/// Any kind may put a <see cref="Cache"/> in front; see <see cref="CostCache"/> for what a hit skips.
/// </remarks>
public sealed record CostStrategy
{
    /// <summary>The <c>static</c> kind.</summary>
    public const string StaticKind = "static";

    /// <summary>The <c>cascade</c> kind.</summary>
    public const string CascadeKind = "cascade";

    /// <summary>The <c>routed</c> kind.</summary>
    public const string RoutedKind = "routed";

    /// <summary>Name shown in reports, unique among the strategies; null for one made from the kind and models.</summary>
    public string? Name { get; set; }

    /// <summary><c>static</c>, <c>cascade</c> or <c>routed</c>. Required.</summary>
    public string? Kind { get; set; }

    /// <summary><c>static</c>: the model, a name in the price table.</summary>
    public string? Model { get; set; }

    /// <summary><c>cascade</c>: the models tried in order, cheapest first usually; at least two.</summary>
    public IReadOnlyList<string>? Tiers { get; set; }

    /// <summary><c>cascade</c>: USD per verified answer (every answer but the last tier's), ≥ 0; default 0.</summary>
    public decimal? VerifierCost { get; set; }

    /// <summary>
    /// <c>cascade</c>: one rate per tier but the last, each in [0,1]: the share of the requests that reached that
    /// tier which escalate to the next one. Required.
    /// </summary>
    public IReadOnlyList<decimal>? Escalation { get; set; }

    /// <summary><c>cascade</c>: per-class escalation rates replacing <see cref="Escalation"/> for that class (same length).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<decimal>>? EscalationByClass { get; set; }

    /// <summary>
    /// <c>routed</c>: traffic class → (model → share). Every class of the mix has a distribution whose shares are
    /// in [0,1] and sum to exactly 1. Required.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, decimal>>? Distribution { get; set; }

    /// <summary><c>routed</c>: USD per request the router handles (cache hits never reach it), ≥ 0; default 0.</summary>
    public decimal? RouterOverhead { get; set; }

    /// <summary>A response cache in front of the strategy; null for none.</summary>
    public CostCache? Cache { get; set; }
}

/// <summary>
/// A response cache in front of a strategy. It is looked up first: a hit answers the request at
/// <see cref="CostPerHit"/> and skips everything behind the cache (model calls, verifier, router and its overhead);
/// a miss costs nothing extra and runs the strategy as without a cache. Hits are spread evenly over the traffic
/// classes. <see cref="MonthlyFixedCost"/> is paid whatever the traffic.
/// </summary>
public sealed record CostCache
{
    /// <summary>Share of requests answered from the cache, in [0,1]. Required.</summary>
    public decimal? HitRate { get; set; }

    /// <summary>USD per cache hit (lookup and serving), ≥ 0; default 0.</summary>
    public decimal? CostPerHit { get; set; }

    /// <summary>USD per month for the cache's infrastructure, ≥ 0; default 0.</summary>
    public decimal? MonthlyFixedCost { get; set; }
}
