namespace EdgeRouter.Routing.Evaluation;

/// <summary>
/// An evaluation set for strong-vs-weak routing: the prompts a router sees and, per prompt, the quality each model
/// reached (1/0 correctness scaled to 100 for accuracy benchmarks, so means read as percentages as in RouteLLM;
/// the judge's score for MT-Bench). Immutable.
/// </summary>
public sealed class RouterBenchmark
{
    private readonly double[] _strong;
    private readonly double[] _weak;
    private readonly bool[] _needsStrong;

    /// <summary>Creates a benchmark; the three lists must have the same, non-zero length and finite qualities.</summary>
    /// <param name="name">Short name, e.g. <c>mmlu</c>; also used for file names.</param>
    /// <param name="title">Human-readable title, e.g. <c>MMLU (test split)</c>.</param>
    /// <param name="qualityUnit">What a quality value is, e.g. <c>accuracy %</c>.</param>
    /// <param name="samples">The prompts, as the router sees them.</param>
    /// <param name="strongQuality">Quality of the strong model's answer, per prompt.</param>
    /// <param name="weakQuality">Quality of the weak model's answer, per prompt.</param>
    /// <param name="excludedContaminated">Rows left out because they are marked contaminated.</param>
    /// <param name="needsStrong">
    /// The binary label a router's score is ranked against for ROC-AUC; when null, "the strong model's quality is
    /// higher than the weak model's".
    /// </param>
    /// <param name="needsStrongDefinition">What <paramref name="needsStrong"/> means, for the report.</param>
    /// <exception cref="ArgumentException">The lists differ in length, are empty, or hold a non-finite quality.</exception>
    public RouterBenchmark(string name, string title, string qualityUnit, IReadOnlyList<RouterSample> samples,
        IReadOnlyList<double> strongQuality, IReadOnlyList<double> weakQuality, int excludedContaminated = 0,
        IReadOnlyList<bool>? needsStrong = null, string? needsStrongDefinition = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(strongQuality);
        ArgumentNullException.ThrowIfNull(weakQuality);
        if (samples.Count == 0)
        {
            throw new ArgumentException($"Benchmark '{name}' has no prompts.", nameof(samples));
        }

        if (strongQuality.Count != samples.Count || weakQuality.Count != samples.Count || (needsStrong is not null && needsStrong.Count != samples.Count))
        {
            throw new ArgumentException(
                $"Benchmark '{name}': {samples.Count} prompts but {strongQuality.Count} strong and {weakQuality.Count} weak qualities and {needsStrong?.Count ?? samples.Count} labels.",
                nameof(samples));
        }

        _strong = [.. strongQuality];
        _weak = [.. weakQuality];
        if (_strong.Any(q => !double.IsFinite(q)) || _weak.Any(q => !double.IsFinite(q)))
        {
            throw new ArgumentException($"Benchmark '{name}' has a quality that is not a finite number.", nameof(strongQuality));
        }

        Name = name;
        Title = title;
        QualityUnit = qualityUnit;
        Samples = samples;
        ExcludedContaminated = excludedContaminated;
        _needsStrong = needsStrong is null ? [.. _strong.Select((q, i) => q > _weak[i])] : [.. needsStrong];
        NeedsStrongDefinition = needsStrong is null ? "strong quality > weak quality" : needsStrongDefinition ?? "given";
        StrongOnlyQuality = _strong.Average();
        WeakOnlyQuality = _weak.Average();
    }

    /// <summary>Short name, e.g. <c>mmlu</c>.</summary>
    public string Name { get; }

    /// <summary>Human-readable title.</summary>
    public string Title { get; }

    /// <summary>What a quality value is.</summary>
    public string QualityUnit { get; }

    /// <summary>The prompts, as the router sees them.</summary>
    public IReadOnlyList<RouterSample> Samples { get; }

    /// <summary>Number of prompts.</summary>
    public int Count => _strong.Length;

    /// <summary>Rows left out because they are marked contaminated.</summary>
    public int ExcludedContaminated { get; }

    /// <summary>Quality of the strong model's answer, per prompt.</summary>
    public ReadOnlySpan<double> StrongQuality => _strong;

    /// <summary>Quality of the weak model's answer, per prompt.</summary>
    public ReadOnlySpan<double> WeakQuality => _weak;

    /// <summary>The binary label ROC-AUC is computed against, per prompt.</summary>
    public ReadOnlySpan<bool> NeedsStrong => _needsStrong;

    /// <summary>What <see cref="NeedsStrong"/> means, e.g. <c>weak model wrong</c>.</summary>
    public string NeedsStrongDefinition { get; }

    /// <summary>Mean quality when every prompt goes to the strong model.</summary>
    public double StrongOnlyQuality { get; }

    /// <summary>Mean quality when every prompt goes to the weak model.</summary>
    public double WeakOnlyQuality { get; }
}
