using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;
using EdgeRouter.Protocol;

namespace EdgeRouter.Cache.Stage;

/// <summary>Settings of a <c>cache</c> stage.</summary>
public sealed record CacheStageSettings
{
    /// <summary>
    /// Lowest similarity served as a semantic hit on this route. The default is the lowest at which the shipped encoder
    /// (with the meaning guard) reached 90 % hit precision on both STS-B and CLINC150 validation pairs (bench/cache).
    /// </summary>
    public double Threshold { get; set; } = 0.97;

    /// <summary>
    /// How a candidate is scored: <c>embedding</c> (the cosine of the vectors) or <c>calibrated</c> (the encoder's
    /// <c>calibration.json</c>, e.g. a blend with character n-gram overlap; the cosine where it ships none). The shipped
    /// blend ranks STS-B pairs better but, at the same hit precision, serves fewer hits than the cosine, so it is opt-in.
    /// </summary>
    public string Similarity { get; set; } = "embedding";

    /// <summary>Per-tenant thresholds replacing <see cref="Threshold"/> (tenants only ever get stricter or looser by config, never by request).</summary>
    public IReadOnlyDictionary<string, double> TenantThresholds { get; set; } = new Dictionary<string, double>();

    /// <summary>Lifetime of entries written by this route, in seconds; null uses <c>cache.defaultTtlSeconds</c>.</summary>
    public int? TtlSeconds { get; set; }

    /// <summary>Tags put on entries written by this route (for invalidation by tag).</summary>
    public IReadOnlyList<string> Tags { get; set; } = [];

    /// <summary>Look up by meaning (not just by the exact request). Needs <c>cache.encoder</c>.</summary>
    public bool Semantic { get; set; } = true;

    /// <summary>Vet semantic hits with the meaning guard (negation, opposites, numbers, dates, names).</summary>
    public bool Guard { get; set; } = true;

    /// <summary>Cache requests that offer tools (their answers may be tool calls that act on fresh state).</summary>
    public bool CacheTools { get; set; }

    /// <summary>Cache requests asking for several choices (<c>n</c> &gt; 1).</summary>
    public bool CacheMultipleChoices { get; set; }

    /// <summary>Requests with a higher <c>temperature</c> ask for variety and are not cached.</summary>
    public double MaxTemperature { get; set; } = 1.0;
}

/// <summary>
/// Answers from the semantic cache when it can, and otherwise records the upstream's answer for next time. Lookup
/// order: the exact normalised request, then the nearest questions of the same tenant, route and conversation above
/// the threshold that pass the meaning guard. The request can opt out (<c>x-edgerouter-cache: off</c> or
/// <c>metadata.cache: false</c>); requests with tools, several choices or a high temperature are skipped unless the
/// route allows them. Only a successful, complete answer is written.
/// </summary>
public sealed class CacheStage : IRouteStage
{
    private readonly CacheStageSettings _settings;
    private readonly SemanticCache _cache;
    private readonly ITextEncoder? _encoder;
    private readonly ITextSimilarity? _similarity;
    private readonly ModelCatalog _catalog;
    private readonly int _ttlSeconds;

    /// <summary>Creates the stage.</summary>
    public CacheStage(CacheStageSettings settings, SemanticCache cache, ITextEncoder? encoder, ModelCatalog catalog, int defaultTtlSeconds)
    {
        _settings = settings;
        _cache = cache;
        _encoder = settings.Semantic ? encoder : null;
        _similarity = settings.Similarity == "calibrated" ? _encoder?.Similarity : null;
        _catalog = catalog;
        _ttlSeconds = settings.TtlSeconds ?? defaultTtlSeconds;
    }

    /// <inheritdoc />
    public string Kind => CacheStageFactory.KindName;

    /// <inheritdoc />
    public ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (string.Equals(context.Headers[GatewayHeaders.Cache], "off", StringComparison.OrdinalIgnoreCase))
        {
            return Skip(context, "bypass; reason=header");
        }

        var skipReason = !_settings.CacheTools && request.HasTools ? "tools"
            : !_settings.CacheMultipleChoices && request.Choices > 1 ? "n"
            : request.Temperature > _settings.MaxTemperature ? "temperature"
            : null;
        if (skipReason is not null)
        {
            return Skip(context, "skip; reason=" + skipReason);
        }

        var fingerprint = RequestFingerprint.Of(request);
        if (fingerprint.BypassRequested)
        {
            return Skip(context, "bypass; reason=metadata");
        }

        // An exact hit is answered before the prompt is embedded: the encoder is most of a lookup's cost.
        float[] embedding = [];
        if (!_cache.TryExact(context.Tenant, context.RouteName, fingerprint, out var lookup))
        {
            if (_encoder is not null && fingerprint.SemanticAllowed)
            {
                embedding = context.Embed(_encoder, fingerprint.LastUserText!);
            }

            var threshold = (float)(_settings.TenantThresholds.TryGetValue(context.Tenant, out var own) ? own : _settings.Threshold);
            lookup = _cache.Lookup(new CacheQuery(context.Tenant, context.RouteName, fingerprint, embedding, threshold, _settings.Guard, _similarity));
        }

        if (lookup.Entry is { } entry)
        {
            var similarity = lookup.Similarity.ToString("F3", CultureInfo.InvariantCulture);
            context.Trace.Add(Kind, $"{(lookup.Kind == CacheHitKind.Exact ? "exact" : "semantic")} hit {entry.Id} similarity {similarity}");
            _catalog.TryGet(entry.Model, out var model);
            return new(StageOutcome.Respond(new GatewayResponse
            {
                Json = entry.Json,
                Events = entry.Events?.Select(e => (ReadOnlyMemory<byte>)e).ToList(),
                Model = model,
                Usage = new TokenUsage(entry.PromptTokens, entry.CompletionTokens),
                Headers = [new(GatewayHeaders.Cache, $"hit; similarity={similarity}; id={entry.Id:N}")],
            }));
        }

        context.Trace.Add(Kind, lookup.Rejected is { } why
            ? $"miss (closest {lookup.Similarity.ToString("F3", CultureInfo.InvariantCulture)} rejected: {why})"
            : "miss");
        context.AddResponseHeader(GatewayHeaders.Cache, "miss");
        var tenant = context.Tenant;
        var route = context.RouteName;
        context.OnCompleted(exchange =>
        {
            if (exchange.Succeeded && exchange.Model is { } answeredBy && (exchange.Json.Length > 0 || exchange.Events is { Count: > 0 }))
            {
                _cache.Add(new CacheEntry
                {
                    Id = Guid.NewGuid(),
                    Tenant = tenant,
                    Route = route,
                    ExactHash = fingerprint.ExactHash,
                    ContextHash = fingerprint.ContextHash,
                    Prompt = fingerprint.LastUserText ?? "",
                    Embedding = embedding,
                    Json = exchange.Streamed ? [] : exchange.Json.ToArray(),
                    Events = exchange.Streamed ? [.. exchange.Events!.Select(e => e.ToArray())] : null,
                    Model = answeredBy.Id,
                    PromptTokens = exchange.Usage.PromptTokens,
                    CompletionTokens = exchange.Usage.CompletionTokens,
                    CostUsd = exchange.CostUsd,
                    CreatedUnixMs = _cache.Time.GetUtcNow().ToUnixTimeMilliseconds(),
                    TtlSeconds = _ttlSeconds,
                    Tags = _settings.Tags,
                });
            }

            return ValueTask.CompletedTask;
        });
        return new(StageOutcome.Continue);
    }

    private ValueTask<StageOutcome> Skip(RequestContext context, string verdict)
    {
        context.Trace.Add(Kind, verdict);
        context.AddResponseHeader(GatewayHeaders.Cache, verdict);
        return new(StageOutcome.Continue);
    }
}

/// <summary>Factory of <c>cache</c> stages; needs the top-level <c>cache</c> section.</summary>
public sealed class CacheStageFactory : StageFactory<CacheStageSettings>
{
    /// <summary>The <c>kind</c> value.</summary>
    public const string KindName = "cache";

    /// <inheritdoc />
    public override string Kind => KindName;

    /// <inheritdoc />
    public override StageTermination Termination => StageTermination.Sometimes;

    /// <inheritdoc />
    public override StageRole Role => StageRole.Lookup;

    /// <inheritdoc />
    protected override JsonTypeInfo<CacheStageSettings> SettingsTypeInfo => CacheJsonContext.Default.CacheStageSettings;

    /// <inheritdoc />
    protected override void Validate(CacheStageSettings settings, StageBindingContext context)
    {
        var errors = context.Errors;
        var path = context.Path;
        errors.Require(context.Config.Cache is not null, path, "needs the top-level 'cache' section");
        errors.Require(settings.Threshold is > 0 and <= 1, $"{path}.threshold",
            $"must be in (0, 1], got {settings.Threshold.ToString(CultureInfo.InvariantCulture)}");
        foreach (var (tenant, threshold) in settings.TenantThresholds)
        {
            errors.Require(threshold is > 0 and <= 1, $"{path}.tenantThresholds.{tenant}",
                $"must be in (0, 1], got {threshold.ToString(CultureInfo.InvariantCulture)}");
        }

        if (settings.TtlSeconds is { } ttl)
        {
            errors.Require(ttl >= 1, $"{path}.ttlSeconds", $"must be >= 1, got {ttl}");
        }

        errors.Require(settings.MaxTemperature >= 0, $"{path}.maxTemperature", "must be >= 0");
        errors.Require(settings.Similarity is "embedding" or "calibrated", $"{path}.similarity",
            $"must be 'embedding' or 'calibrated', got '{settings.Similarity}'");
        if (settings.Semantic && context.Config.Cache is { Encoder: null })
        {
            errors.Add($"{path}.semantic", "needs cache.encoder (set semantic: false to match exact requests only)");
        }
    }

    /// <inheritdoc />
    protected override IRouteStage Create(CacheStageSettings settings, StageServices services)
    {
        var config = services.Get<CacheConfig>()
            ?? throw new InvalidOperationException("The cache stage was configured but the gateway runs no semantic cache.");

        // The encoder first: while it loads (ModelWarmingException) the cache, which needs its dimensions, is not open yet.
        ITextEncoder? encoder = null;
        if (config.Encoder is { } name && !services.Models.TryGetEncoder(name, out encoder))
        {
            throw new InvalidOperationException($"cache.encoder '{name}' is not loaded.");
        }

        var cache = services.Get<SemanticCache>()
            ?? throw new InvalidOperationException("The cache stage was configured but the gateway runs no semantic cache.");

        return new CacheStage(settings, cache, encoder, services.Catalog, config.DefaultTtlSeconds);
    }
}

/// <summary>Source-generated JSON metadata for cache stage settings.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(CacheStageSettings))]
internal sealed partial class CacheJsonContext : JsonSerializerContext;
