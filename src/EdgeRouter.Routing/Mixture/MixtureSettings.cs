using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeRouter.Routing.Mixture;

/// <summary>Settings of a <c>mor</c> (Mixture-of-Routers) stage.</summary>
public sealed record MixtureSettings
{
    /// <summary>The member routers (at least two), each with a unique name used by <see cref="Weights"/>.</summary>
    public IReadOnlyList<MixtureMember> Routers { get; set; } = [];

    /// <summary>
    /// Weights per request class: class name → router name → weight (≥ 0, at least one &gt; 0). The class
    /// <c>default</c> is required; others (e.g. <c>latency</c>, <c>quality</c>, <c>cost</c>) are picked per request by
    /// <see cref="Classes"/>. A router missing from a class weighs 0 there.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Weights { get; set; } =
        new Dictionary<string, IReadOnlyDictionary<string, double>>();

    /// <summary>How a request's class is found.</summary>
    public MixtureClasses Classes { get; set; } = new();

    /// <summary>When the two most probable models are closer than this, the stronger of them is chosen.</summary>
    public double ConfidenceFloor { get; set; } = 0.1;

    /// <summary>How routers whose picks disagree with verified outcomes lose weight.</summary>
    public MixtureFeedback Feedback { get; set; } = new();
}

/// <summary>One member router of a mixture: its name, its kind (<c>learned</c>, <c>cost</c>, <c>latency</c>) and that kind's settings.</summary>
public sealed record MixtureMember
{
    /// <summary>The member's name in weights and traces, e.g. <c>accuracy</c>; defaults to its kind.</summary>
    public string? Name { get; set; }

    /// <summary>The router kind.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The kind's settings. Settable because System.Text.Json cannot fill extension data through an initializer.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Settings { get; set; }

    /// <summary>The kind's settings record, bound and validated with the mixture.</summary>
    [JsonIgnore]
    internal object? Bound { get; set; }
}

/// <summary>Where a request's class comes from, first match wins: the header, the tenant, the intent, else <c>default</c>.</summary>
public sealed record MixtureClasses
{
    /// <summary>A request header naming the class directly (e.g. <c>x-edgerouter-priority: latency</c>); unknown values are ignored.</summary>
    public string Header { get; set; } = "x-edgerouter-priority";

    /// <summary>Tenant → class: a tenant's SLA (e.g. a voice tenant to <c>latency</c>).</summary>
    public IReadOnlyDictionary<string, string> Tenants { get; set; } = new Dictionary<string, string>();

    /// <summary>Intent (recognised by an earlier <c>intent</c> stage) → class.</summary>
    public IReadOnlyDictionary<string, string> Intents { get; set; } = new Dictionary<string, string>();
}

/// <summary>
/// Outcome feedback: each router's agreement with verified outcomes is a moving average; a router falling below
/// <see cref="MinAgreement"/> keeps only <see cref="Cut"/> of its weight until it climbs back to <see cref="RecoverAt"/>.
/// </summary>
public sealed record MixtureFeedback
{
    /// <summary>Weight of the newest outcome in the moving average, in (0, 1].</summary>
    public double Alpha { get; set; } = 0.05;

    /// <summary>Agreement below which a router's weight is cut.</summary>
    public double MinAgreement { get; set; } = 0.5;

    /// <summary>Agreement at which a cut router gets its full weight back (≥ <see cref="MinAgreement"/>).</summary>
    public double RecoverAt { get; set; } = 0.6;

    /// <summary>Share of its weight a cut router keeps, in [0, 1).</summary>
    public double Cut { get; set; } = 0.2;

    /// <summary>Outcomes a router must have seen before it can be cut.</summary>
    public int MinSamples { get; set; } = 20;
}
