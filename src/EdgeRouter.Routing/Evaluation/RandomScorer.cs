namespace EdgeRouter.Routing.Evaluation;

/// <summary>
/// The random router: independent uniform scores in [0, 1) from a seeded generator, so a run is reproducible.
/// Evaluate several seeds (<see cref="Runs"/>) and average the curves for its expected curve; its exact expectation
/// is the straight line from weak-only to strong-only quality (APGR 0.5). Thread-safe.
/// </summary>
/// <param name="seed">Seed of this run.</param>
public sealed class RandomScorer(int seed) : IRouterScorer
{
    /// <summary>The default number of seeded runs averaged, as RouteLLM's <c>--random-iters</c>.</summary>
    public const int DefaultRuns = 10;

    /// <summary>The seed of this run.</summary>
    public int Seed => seed;

    /// <inheritdoc />
    public string Name => "random";

    /// <inheritdoc />
    public string Description => "uniform random score (seeded)";

    /// <summary>Scorers for seeds 0 … <paramref name="count"/> − 1.</summary>
    public static IReadOnlyList<IRouterScorer> Runs(int count = DefaultRuns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return [.. Enumerable.Range(0, count).Select(s => new RandomScorer(s))];
    }

    /// <inheritdoc />
    public double[] Score(IReadOnlyList<RouterSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
#pragma warning disable CA5394 // not security-sensitive: a reproducible baseline
        var random = new Random(seed);
        var scores = new double[samples.Count];
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = random.NextDouble();
        }
#pragma warning restore CA5394

        return scores;
    }
}
