using EdgeRouter.Pipeline;

namespace EdgeRouter.Configuration;

/// <summary>A stage whose settings were bound and validated, ready to be built.</summary>
/// <param name="Factory">The factory of the stage's kind.</param>
/// <param name="Settings">Settings returned by <see cref="IStageFactory.Bind"/>.</param>
/// <param name="Path">JSON path of the stage in the config document.</param>
public sealed record BoundStage(IStageFactory Factory, object Settings, string Path);

/// <summary>A configuration that passed validation, with everything resolved that a runtime snapshot needs.</summary>
public sealed class ValidatedConfig
{
    internal ValidatedConfig(
        GatewayConfig config,
        ModelCatalog catalog,
        IReadOnlyDictionary<string, IReadOnlyList<BoundStage>> routeStages,
        IReadOnlyDictionary<string, string?> apiKeys)
    {
        Config = config;
        Catalog = catalog;
        RouteStages = routeStages;
        ApiKeys = apiKeys;
    }

    /// <summary>The configuration as written.</summary>
    public GatewayConfig Config { get; }

    /// <summary>Every concrete model.</summary>
    public ModelCatalog Catalog { get; }

    /// <summary>Bound stages per route name, in pipeline order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<BoundStage>> RouteStages { get; }

    /// <summary>API key per provider name, read from the environment (null when the provider has none).</summary>
    public IReadOnlyDictionary<string, string?> ApiKeys { get; }
}

/// <summary>The outcome of loading a configuration: a validated config, or every problem found.</summary>
public sealed class ConfigLoadResult
{
    private ConfigLoadResult(ValidatedConfig? value, IReadOnlyList<ConfigError> errors)
    {
        Value = value;
        Errors = errors;
    }

    /// <summary>The validated configuration; null when <see cref="Errors"/> is not empty.</summary>
    public ValidatedConfig? Value { get; }

    /// <summary>Every problem found, in document order as far as possible.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    /// <summary>True when the configuration can be used.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Value))]
    public bool IsValid => Value is not null;

    internal static ConfigLoadResult Success(ValidatedConfig value) => new(value, []);

    internal static ConfigLoadResult Failure(IReadOnlyList<ConfigError> errors) => new(null, errors);
}
