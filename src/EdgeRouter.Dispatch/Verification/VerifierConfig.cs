using System.Globalization;
using EdgeRouter.Configuration;

namespace EdgeRouter.Dispatch.Verification;

/// <summary>One verifier in a strategy's <c>verifiers</c> list, e.g. <c>{ "kind": "judge", "model": "openai/gpt-4o", "minScore": 7 }</c>.</summary>
public sealed record VerifierConfig
{
    /// <summary><c>json</c>, <c>refusal</c>, <c>consistency</c> or <c>judge</c>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>judge: the judge model (required).</summary>
    public string? Model { get; set; }

    /// <summary>judge: the lowest passing score in [1, 10]; default 7.</summary>
    public double? MinScore { get; set; }

    /// <summary>judge: what the judge checks; a generic correctness-and-helpfulness rubric by default.</summary>
    public string? Rubric { get; set; }

    /// <summary>judge, consistency: <c>fail</c> (default) or <c>pass</c> the answer when the extra call fails or the judge gives no score.</summary>
    public string? OnError { get; set; }

    /// <summary>refusal: phrases added to the built-in refusal phrases.</summary>
    public IReadOnlyList<string>? Phrases { get; set; }

    /// <summary>consistency: answers up to this many words are compared by their final answer; default 60.</summary>
    public int? ShortAnswerWords { get; set; }
}

/// <summary>Validates <see cref="VerifierConfig"/>s with their paths and builds the verifiers.</summary>
public static class VerifierFactory
{
    /// <summary>The verifier kinds, alphabetically.</summary>
    public static readonly IReadOnlyList<string> Kinds = [ConsistencyVerifier.KindName, JsonVerifier.KindName, JudgeVerifier.KindName, RefusalVerifier.KindName];

    /// <summary>Reports every problem of <paramref name="configs"/> (at <c>{path}[i]</c>) to <paramref name="errors"/>.</summary>
    public static void Validate(IReadOnlyList<VerifierConfig> configs, string path, ModelCatalog catalog, ConfigErrors errors)
    {
        ArgumentNullException.ThrowIfNull(configs);
        ArgumentNullException.ThrowIfNull(errors);
        for (var i = 0; i < configs.Count; i++)
        {
            Validate(configs[i], $"{path}[{i}]", catalog, errors);
        }
    }

    private static void Validate(VerifierConfig config, string path, ModelCatalog catalog, ConfigErrors errors)
    {
        if (config is null)
        {
            errors.Add(path, "must be a verifier object, e.g. { \"kind\": \"refusal\" }");
            return;
        }

        var kind = config.Kind;
        if (!Kinds.Contains(kind))
        {
            errors.Add($"{path}.kind", $"'{kind}' is not a verifier; known verifiers: {string.Join(", ", Kinds)}");
            return;
        }

        OnlyFor(kind, JudgeVerifier.KindName, config.Model is not null, path, "model", errors);
        OnlyFor(kind, JudgeVerifier.KindName, config.MinScore is not null, path, "minScore", errors);
        OnlyFor(kind, JudgeVerifier.KindName, config.Rubric is not null, path, "rubric", errors);
        OnlyFor(kind, RefusalVerifier.KindName, config.Phrases is not null, path, "phrases", errors);
        OnlyFor(kind, ConsistencyVerifier.KindName, config.ShortAnswerWords is not null, path, "shortAnswerWords", errors);
        if (config.OnError is { } onError)
        {
            if (kind is not (JudgeVerifier.KindName or ConsistencyVerifier.KindName))
            {
                errors.Add($"{path}.onError", $"applies only to 'judge' and 'consistency', not '{kind}'");
            }
            else
            {
                errors.Require(onError is "fail" or "pass", $"{path}.onError", $"must be 'fail' or 'pass', got '{onError}'");
            }
        }

        switch (kind)
        {
            case JudgeVerifier.KindName:
                if (config.Model is null)
                {
                    errors.Add($"{path}.model", "must name the judge model (provider/model)");
                }
                else
                {
                    ConfigValidator.RequireChatModel(config.Model, $"{path}.model", catalog, errors);
                }

                if (config.MinScore is { } minScore)
                {
                    errors.Require(minScore is >= 1 and <= 10, $"{path}.minScore", $"must be in [1, 10], got {minScore.ToString(CultureInfo.InvariantCulture)}");
                }

                if (config.Rubric is { } rubric)
                {
                    errors.Require(rubric.Trim().Length > 0, $"{path}.rubric", "must not be empty");
                }

                break;
            case RefusalVerifier.KindName when config.Phrases is { } phrases:
                for (var p = 0; p < phrases.Count; p++)
                {
                    errors.Require(!string.IsNullOrWhiteSpace(phrases[p]), $"{path}.phrases[{p}]", "must not be empty");
                }

                break;
            case ConsistencyVerifier.KindName when config.ShortAnswerWords is { } words:
                errors.Require(words > 0, $"{path}.shortAnswerWords", $"must be > 0, got {words}");
                break;
        }
    }

    /// <summary>Builds the chain of <paramref name="configs"/>, which passed <see cref="Validate(IReadOnlyList{VerifierConfig}, string, ModelCatalog, ConfigErrors)"/>.</summary>
    public static VerifierChain Create(IReadOnlyList<VerifierConfig> configs, ModelCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(configs);
        ArgumentNullException.ThrowIfNull(catalog);
        return new VerifierChain([.. configs.Select(config => Create(config, catalog))]);
    }

    private static IAnswerVerifier Create(VerifierConfig config, ModelCatalog catalog) => config.Kind switch
    {
        JsonVerifier.KindName => new JsonVerifier(),
        RefusalVerifier.KindName => new RefusalVerifier(config.Phrases),
        ConsistencyVerifier.KindName => new ConsistencyVerifier(config.ShortAnswerWords ?? AnswerAgreement.DefaultShortAnswerWords, config.OnError == "pass"),
        JudgeVerifier.KindName => new JudgeVerifier(
            catalog.TryResolve(config.Model!, out var judge) ? judge : throw new InvalidOperationException($"'{config.Model}' was validated but is not in the catalog."),
            config.MinScore ?? JudgeVerifier.DefaultMinScore, config.Rubric, config.OnError == "pass"),
        _ => throw new InvalidOperationException($"'{config.Kind}' was validated but is not a verifier."),
    };

    private static void OnlyFor(string kind, string owner, bool present, string path, string setting, ConfigErrors errors)
    {
        if (present && kind != owner)
        {
            errors.Add($"{path}.{setting}", $"applies only to '{owner}', not '{kind}'");
        }
    }
}
