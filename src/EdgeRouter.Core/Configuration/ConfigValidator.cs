using System.Globalization;
using System.Text.RegularExpressions;
using EdgeRouter.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeRouter.Configuration;

/// <summary>Checks a bound configuration and reports every problem with its path.</summary>
public static partial class ConfigValidator
{
    private static readonly string[] LogFormats = ["text", "json"];

    /// <summary>Validates <paramref name="config"/>; on success binds every stage and reads API keys.</summary>
    public static ConfigLoadResult Validate(GatewayConfig config, StageRegistry stages, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(environment);
        var errors = new ConfigErrors();
        ValidateServer(config.Server, errors);
        ValidateLogging(config.Logging, errors);
        var apiKeys = ValidateProviders(config.Providers, environment, errors);
        var catalog = new ModelCatalog(config.Providers);
        if (config.Inference is { } inference)
        {
            ValidateInference(inference, config.Providers, errors);
        }

        if (config.Cache is { } cache)
        {
            ValidateCache(cache, config.Inference, errors);
        }

        var routeStages = ValidateRoutes(config, catalog, stages, errors);
        if (config.Simulator is { } simulator)
        {
            ValidateSimulator(simulator, errors);
        }

        return errors.IsEmpty
            ? ConfigLoadResult.Success(new ValidatedConfig(config, catalog, routeStages, apiKeys))
            : ConfigLoadResult.Failure(errors.Items);
    }

    private static void ValidateServer(ServerConfig server, ConfigErrors errors)
    {
        if (errors.Require(server.Urls.Count > 0, "server.urls", "must list at least one address"))
        {
            for (var i = 0; i < server.Urls.Count; i++)
            {
                RequireHttpUrl(server.Urls[i], $"server.urls[{i}]", errors);
            }
        }

        errors.Require(server.MaxRequestBodyBytes is > 0 and <= 1L << 30, "server.maxRequestBodyBytes",
            $"must be in [1, 1073741824], got {server.MaxRequestBodyBytes}");
        errors.Require(server.ShutdownTimeoutMs >= 0, "server.shutdownTimeoutMs",
            $"must be >= 0, got {server.ShutdownTimeoutMs}");
    }

    private static void ValidateLogging(LoggingConfig logging, ConfigErrors errors)
    {
        errors.Require(Enum.TryParse<LogLevel>(logging.Level, ignoreCase: true, out _) && !int.TryParse(logging.Level, out _),
            "logging.level", $"must be one of Trace, Debug, Information, Warning, Error, Critical, None, got '{logging.Level}'");
        errors.Require(LogFormats.Contains(logging.Format), "logging.format", $"must be 'text' or 'json', got '{logging.Format}'");
    }

    private static Dictionary<string, string?> ValidateProviders(
        IReadOnlyList<ProviderConfig> providers, Func<string, string?> environment, ConfigErrors errors)
    {
        var apiKeys = new Dictionary<string, string?>(StringComparer.Ordinal);
        errors.Require(providers.Count > 0, "providers", "must list at least one provider");
        for (var i = 0; i < providers.Count; i++)
        {
            var provider = providers[i];
            var path = $"providers[{i}]";
            if (errors.Require(NamePattern().IsMatch(provider.Name), $"{path}.name",
                    $"must be letters, digits, '.', '-' or '_' and start with a letter or digit, got '{provider.Name}'"))
            {
                errors.Require(!apiKeys.ContainsKey(provider.Name), $"{path}.name", $"'{provider.Name}' is used by another provider");
            }

            RequireHttpUrl(provider.BaseUrl, $"{path}.baseUrl", errors);
            string? apiKey = null;
            if (provider.ApiKeyEnv is { } keyEnv)
            {
                if (errors.Require(EnvNamePattern().IsMatch(keyEnv), $"{path}.apiKeyEnv", $"must be an environment variable name, got '{keyEnv}'"))
                {
                    apiKey = environment(keyEnv);
                    errors.Require(!string.IsNullOrEmpty(apiKey), $"{path}.apiKeyEnv",
                        $"names environment variable {keyEnv}, which is not set");
                }
            }

            errors.Require(HeaderNamePattern().IsMatch(provider.ApiKeyHeader), $"{path}.apiKeyHeader",
                $"must be a header name, got '{provider.ApiKeyHeader}'");
            foreach (var (name, value) in provider.Headers)
            {
                var headerPath = $"{path}.headers.{name}";
                if (!errors.Require(HeaderNamePattern().IsMatch(name), headerPath, "is not a valid header name"))
                {
                    continue;
                }

                errors.Require(!ReservedHeaders.Contains(name), headerPath,
                    "is set by the gateway and cannot be configured (put credentials in apiKeyEnv)");
                errors.Require(!value.Any(c => c is '\r' or '\n' or '\0'), headerPath, "must not contain line breaks");
            }

            for (var h = 0; h < provider.ForwardHeaders.Count; h++)
            {
                var name = provider.ForwardHeaders[h];
                var headerPath = $"{path}.forwardHeaders[{h}]";
                if (errors.Require(HeaderNamePattern().IsMatch(name), headerPath, $"is not a valid header name, got '{name}'"))
                {
                    errors.Require(!ReservedHeaders.Contains(name) && !name.Equals(provider.ApiKeyHeader, StringComparison.OrdinalIgnoreCase),
                        headerPath, $"'{name}' is set by the gateway and cannot be forwarded from clients");
                }
            }

            ValidateTimeouts(provider.Timeouts, $"{path}.timeouts", errors);
            ValidateRetry(provider.Retry, $"{path}.retry", errors);
            errors.Require(provider.CircuitBreaker.FailureThreshold >= 0, $"{path}.circuitBreaker.failureThreshold",
                $"must be >= 0 (0 disables the breaker), got {provider.CircuitBreaker.FailureThreshold}");
            errors.Require(provider.CircuitBreaker.OpenMs > 0, $"{path}.circuitBreaker.openMs",
                $"must be > 0, got {provider.CircuitBreaker.OpenMs}");
            errors.Require(provider.MaxConnections >= 1, $"{path}.maxConnections", $"must be >= 1, got {provider.MaxConnections}");
            ValidateModels(provider.Models, path, errors);
            apiKeys.TryAdd(provider.Name, apiKey);
        }

        return apiKeys;
    }

    private static void ValidateTimeouts(TimeoutConfig timeouts, string path, ConfigErrors errors)
    {
        errors.Require(timeouts.ConnectMs > 0, $"{path}.connectMs", $"must be > 0, got {timeouts.ConnectMs}");
        errors.Require(timeouts.FirstByteMs > 0, $"{path}.firstByteMs", $"must be > 0, got {timeouts.FirstByteMs}");
        errors.Require(timeouts.StreamIdleMs > 0, $"{path}.streamIdleMs", $"must be > 0, got {timeouts.StreamIdleMs}");
        if (errors.Require(timeouts.TotalMs > 0, $"{path}.totalMs", $"must be > 0, got {timeouts.TotalMs}"))
        {
            errors.Require(timeouts.FirstByteMs <= timeouts.TotalMs, $"{path}.firstByteMs",
                $"must be <= totalMs ({timeouts.TotalMs}), got {timeouts.FirstByteMs}");
        }
    }

    private static void ValidateRetry(RetryConfig retry, string path, ConfigErrors errors)
    {
        errors.Require(retry.MaxAttempts is >= 1 and <= 10, $"{path}.maxAttempts", $"must be in [1, 10], got {retry.MaxAttempts}");
        errors.Require(retry.BaseDelayMs >= 0, $"{path}.baseDelayMs", $"must be >= 0, got {retry.BaseDelayMs}");
        errors.Require(retry.MaxDelayMs >= retry.BaseDelayMs, $"{path}.maxDelayMs",
            $"must be >= baseDelayMs ({retry.BaseDelayMs}), got {retry.MaxDelayMs}");
        errors.Require(retry.RetryAfterCapMs >= 0, $"{path}.retryAfterCapMs", $"must be >= 0, got {retry.RetryAfterCapMs}");
    }

    private static void ValidateModels(IReadOnlyList<ModelConfig> models, string providerPath, ConfigErrors errors)
    {
        errors.Require(models.Count > 0, $"{providerPath}.models", "must list at least one model");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < models.Count; j++)
        {
            var model = models[j];
            var path = $"{providerPath}.models[{j}]";
            if (errors.Require(model.Name.Length > 0 && !model.Name.Any(char.IsWhiteSpace) && !model.Name.StartsWith('/'),
                    $"{path}.name", $"must be non-empty without spaces, got '{model.Name}'"))
            {
                errors.Require(names.Add(model.Name), $"{path}.name", $"'{model.Name}' is listed twice");
            }

            if (model.UpstreamName is { } upstream)
            {
                errors.Require(upstream.Length > 0, $"{path}.upstreamName", "must not be empty");
            }

            errors.Require(model.Kind is ModelKinds.Chat or ModelKinds.Embedding, $"{path}.kind",
                $"must be '{ModelKinds.Chat}' or '{ModelKinds.Embedding}', got '{model.Kind}'");
            errors.Require(model.InputPricePerMillion >= 0, $"{path}.inputPricePerMillion",
                $"must be >= 0, got {model.InputPricePerMillion.ToString(CultureInfo.InvariantCulture)}");
            errors.Require(model.OutputPricePerMillion >= 0, $"{path}.outputPricePerMillion",
                $"must be >= 0, got {model.OutputPricePerMillion.ToString(CultureInfo.InvariantCulture)}");
            errors.Require(model.ContextWindow > 0, $"{path}.contextWindow", $"must be > 0, got {model.ContextWindow}");
            for (var t = 0; t < model.Tags.Count; t++)
            {
                errors.Require(!string.IsNullOrWhiteSpace(model.Tags[t]), $"{path}.tags[{t}]", "must not be empty");
            }
        }
    }

    private static Dictionary<string, IReadOnlyList<BoundStage>> ValidateRoutes(
        GatewayConfig config, ModelCatalog catalog, StageRegistry registry, ConfigErrors errors)
    {
        var routes = config.Routes;
        var bound = new Dictionary<string, IReadOnlyList<BoundStage>>(StringComparer.Ordinal);
        foreach (var (name, route) in routes)
        {
            var path = $"routes.{name}";
            errors.Require(NamePattern().IsMatch(name), path,
                "name must be letters, digits, '.', '-' or '_' (a '/' would clash with provider/model ids)");
            for (var f = 0; f < route.Fallback.Count; f++)
            {
                RequireChatModel(route.Fallback[f], $"{path}.fallback[{f}]", catalog, errors);
            }

            if (!errors.Require(route.Stages.Count > 0, $"{path}.stages", "must list at least one stage"))
            {
                continue;
            }

            var models = ValidateRouteModels(route, path, catalog, errors);
            var stages = new List<BoundStage>(route.Stages.Count);
            string? terminalPath = null;
            string? routerPath = null;
            string? strategyPath = null;
            for (var s = 0; s < route.Stages.Count; s++)
            {
                var stage = route.Stages[s];
                var stagePath = $"{path}.stages[{s}]";
                if (terminalPath is not null)
                {
                    errors.Add(stagePath, $"can never run: {terminalPath} always decides or responds");
                }

                if (!registry.TryGet(stage.Kind, out var factory))
                {
                    errors.Add($"{stagePath}.kind", $"'{stage.Kind}' is not a stage kind; known kinds: {string.Join(", ", registry.Kinds)}");
                    continue;
                }

                var settings = factory.Bind(new StageBindingContext(
                    stagePath, stage.Settings ?? EmptySettings, catalog, config, errors, models));
                if (settings is not null)
                {
                    stages.Add(new BoundStage(factory, settings, stagePath));
                }

                switch (factory.Role)
                {
                    case StageRole.Lookup when routerPath is not null:
                        errors.Add(stagePath, $"'{stage.Kind}' must come before the routers ({routerPath}): a hit should skip them");
                        break;
                    case StageRole.Router:
                        routerPath ??= $"{stagePath} ({stage.Kind})";
                        break;
                    case StageRole.Strategy:
                        strategyPath ??= stagePath;
                        errors.Require(models.Count > 0, $"{path}.models",
                            $"must list the models '{stage.Kind}' dispatches among (weakest first), e.g. [\"provider/cheap\", \"provider/strong\"]");
                        break;
                    case StageRole.Other when factory.Termination == StageTermination.Always && routerPath is not null && strategyPath is null:
                        errors.Add(stagePath,
                            $"ignores the distribution of {routerPath}: end a route that has routers with 'direct', 'cascade' or 'speculative'");
                        break;
                }

                if (factory.Termination == StageTermination.Always)
                {
                    terminalPath ??= $"{stagePath} ({stage.Kind})";
                }
            }

            errors.Require(terminalPath is not null, $"{path}.stages",
                "must end with a stage that always decides (static, weighted, fallback, direct, cascade or speculative)");
            bound[name] = stages;
        }

        return bound;
    }

    private static List<ModelTarget> ValidateRouteModels(RouteConfig route, string path, ModelCatalog catalog, ConfigErrors errors)
    {
        var models = new List<ModelTarget>(route.Models.Count);
        for (var m = 0; m < route.Models.Count; m++)
        {
            var modelPath = $"{path}.models[{m}]";
            if (!RequireChatModel(route.Models[m], modelPath, catalog, errors))
            {
                continue;
            }

            catalog.TryResolve(route.Models[m], out var target);
            if (models.Contains(target!))
            {
                errors.Add(modelPath, $"'{target!.Id}' is listed twice");
                continue;
            }

            models.Add(target!);
        }

        return models;
    }

    /// <summary>The provider name reserved for in-process encoders on <c>/v1/embeddings</c> (<c>local/&lt;encoder&gt;</c>).</summary>
    public const string LocalProvider = "local";

    private static void ValidateInference(InferenceConfig inference, IReadOnlyList<ProviderConfig> providers, ConfigErrors errors)
    {
        errors.Require(inference.IntraOpThreads >= 0, "inference.intraOpThreads", $"must be >= 0 (0 lets ONNX Runtime choose), got {inference.IntraOpThreads}");
        errors.Require(inference.GraphOptimization is "disabled" or "basic" or "extended" or "all", "inference.graphOptimization",
            $"must be 'disabled', 'basic', 'extended' or 'all', got '{inference.GraphOptimization}'");
        if (inference.OnnxRuntimePath is { } runtime)
        {
            errors.Require(runtime.Length > 0, "inference.onnxRuntimePath", "must not be empty");
        }

        errors.Require(!providers.Any(p => p.Name == LocalProvider), "inference",
            $"needs the provider name '{LocalProvider}' for its encoders; rename that provider");
        foreach (var (name, encoder) in inference.Encoders)
        {
            errors.Require(NamePattern().IsMatch(name), $"inference.encoders.{name}", "name must be letters, digits, '.', '-' or '_'");
            errors.Require(encoder.Path.Length > 0, $"inference.encoders.{name}.path", "must name the model directory");
        }

        foreach (var (name, classifier) in inference.Classifiers)
        {
            errors.Require(NamePattern().IsMatch(name), $"inference.classifiers.{name}", "name must be letters, digits, '.', '-' or '_'");
            errors.Require(classifier.Path.Length > 0, $"inference.classifiers.{name}.path", "must name the head directory");
            errors.Require(inference.Encoders.ContainsKey(classifier.Encoder), $"inference.classifiers.{name}.encoder",
                $"'{classifier.Encoder}' is not a configured encoder");
        }
    }

    private static void ValidateCache(CacheConfig cache, InferenceConfig? inference, ConfigErrors errors)
    {
        if (cache.Directory is { } directory)
        {
            errors.Require(directory.Length > 0, "cache.directory", "must not be empty (leave it out to keep the cache in memory)");
        }

        errors.Require(cache.CommitIntervalMs is >= 10 and <= 60_000, "cache.commitIntervalMs", $"must be in [10, 60000], got {cache.CommitIntervalMs}");
        errors.Require(cache.MaxEntries is >= 1 and <= 100_000_000, "cache.maxEntries", $"must be in [1, 100000000], got {cache.MaxEntries}");
        errors.Require(cache.DefaultTtlSeconds >= 1, "cache.defaultTtlSeconds", $"must be >= 1, got {cache.DefaultTtlSeconds}");
        errors.Require(cache.Candidates is >= 1 and <= 64, "cache.candidates", $"must be in [1, 64], got {cache.Candidates}");
        errors.Require(cache.Index.M is >= 2 and <= 128, "cache.index.m", $"must be in [2, 128], got {cache.Index.M}");
        errors.Require(cache.Index.EfConstruction >= 1, "cache.index.efConstruction", $"must be >= 1, got {cache.Index.EfConstruction}");
        errors.Require(cache.Index.Ef >= 1, "cache.index.ef", $"must be >= 1, got {cache.Index.Ef}");
        if (cache.Encoder is { } encoder)
        {
            errors.Require(inference?.Encoders.ContainsKey(encoder) == true, "cache.encoder",
                $"'{encoder}' is not an encoder under inference.encoders (semantic lookup needs one; leave it out for exact matching only)");
        }

        if (cache.AdminTokenEnv is { } tokenEnv)
        {
            errors.Require(EnvNamePattern().IsMatch(tokenEnv), "cache.adminTokenEnv", $"must be an environment variable name, got '{tokenEnv}'");
        }
    }

    /// <summary>Reports every problem of a simulator configuration, with paths under <c>simulator</c>.</summary>
    public static void ValidateSimulator(SimulatorConfig simulator, ConfigErrors errors)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        ArgumentNullException.ThrowIfNull(errors);
        errors.Require(Uri.TryCreate(simulator.Url, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttp,
            "simulator.url", $"must be an absolute http:// URL (the simulator serves plain HTTP), got '{simulator.Url}'");
        errors.Require(simulator.Models.Count > 0, "simulator.models", "must list at least one model");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < simulator.Models.Count; i++)
        {
            var model = simulator.Models[i];
            var path = $"simulator.models[{i}]";
            if (errors.Require(model.Name.Length > 0, $"{path}.name", "must not be empty"))
            {
                errors.Require(names.Add(model.Name), $"{path}.name", $"'{model.Name}' is listed twice");
            }

            errors.Require(model.TtftMs >= 0, $"{path}.ttftMs", $"must be >= 0, got {Num(model.TtftMs)}");
            errors.Require(model.TokensPerSecond > 0, $"{path}.tokensPerSecond", $"must be > 0, got {Num(model.TokensPerSecond)}");
            errors.Require(model.JitterMs >= 0, $"{path}.jitterMs", $"must be >= 0, got {Num(model.JitterMs)}");
            errors.Require(model.AnswerTokens is >= 1 and <= 100_000, $"{path}.answerTokens", $"must be in [1, 100000], got {model.AnswerTokens}");
            errors.Require(model.EmbeddingDimensions is >= 1 and <= 8192, $"{path}.embeddingDimensions",
                $"must be in [1, 8192], got {model.EmbeddingDimensions}");
            var faults = model.Faults;
            var faultPath = $"{path}.faults";
            RequireRate(faults.ErrorRate, $"{faultPath}.errorRate", errors);
            RequireRate(faults.RateLimitRate, $"{faultPath}.rateLimitRate", errors);
            RequireRate(faults.StallRate, $"{faultPath}.stallRate", errors);
            RequireRate(faults.DropRate, $"{faultPath}.dropRate", errors);
            var total = faults.ErrorRate + faults.RateLimitRate + faults.StallRate + faults.DropRate;
            errors.Require(total <= 1, faultPath, $"rates must add up to at most 1, got {Num(Math.Round(total, 6))}");
            errors.Require(faults.RetryAfterSeconds >= 0, $"{faultPath}.retryAfterSeconds", $"must be >= 0, got {faults.RetryAfterSeconds}");
            errors.Require(faults.StallMs >= 0, $"{faultPath}.stallMs", $"must be >= 0, got {faults.StallMs}");
            errors.Require(faults.DropAfterTokens >= 0, $"{faultPath}.dropAfterTokens", $"must be >= 0, got {faults.DropAfterTokens}");
        }
    }

    /// <summary>Reports unless <paramref name="id"/> names a configured chat model.</summary>
    public static bool RequireChatModel(string id, string path, ModelCatalog catalog, ConfigErrors errors)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(errors);
        if (!catalog.TryResolve(id, out var target))
        {
            errors.Add(path, $"'{id}' is not a configured model (write provider/model)");
            return false;
        }

        return errors.Require(target.Model.Kind == ModelKinds.Chat, path, $"'{id}' is an {target.Model.Kind} model, not a chat model");
    }

    private static void RequireRate(double rate, string path, ConfigErrors errors) =>
        errors.Require(rate is >= 0 and <= 1, path, $"must be in [0, 1], got {Num(rate)}");

    private static void RequireHttpUrl(string url, string path, ConfigErrors errors) =>
        errors.Require(
            Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps),
            path, $"must be an absolute http:// or https:// URL, got '{url}'");

    private static string Num(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static readonly Dictionary<string, System.Text.Json.JsonElement> EmptySettings = new();

    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Host", "Content-Length", "Content-Type", "Transfer-Encoding", "Connection",
        "Keep-Alive", "Upgrade", "TE", "Trailer", "Proxy-Authorization", "Expect",
    };

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvNamePattern();

    // RFC 9110 token characters.
    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")]
    private static partial Regex HeaderNamePattern();
}
