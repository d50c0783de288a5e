using EdgeRouter.Routing.Learned;
using EdgeRouter.Routing.Routers;

namespace EdgeRouter.Routing.Evaluation;

/// <summary>
/// The gateway's <c>learned</c> router under evaluation: every prompt is scored by <see cref="LearnedRouter.Score"/>,
/// the code path of the router's votes, on the prompt's <see cref="PromptFeatures"/> (so the head, the encoder, the
/// token estimate and the combiner are the gateway's own). Prompts are scored in parallel; the router and its models
/// are thread-safe, and each prompt gets its own features. Thread-safe.
/// </summary>
public sealed class LearnedRouterScorer : IRouterScorer
{
    private readonly int _maxParallelism;

    /// <summary>Creates the scorer.</summary>
    /// <param name="router">The router, built from settings with <see cref="LearnedRouter.Create"/>.</param>
    /// <param name="name">Router name for reports.</param>
    /// <param name="description">What the score is, for reports.</param>
    /// <param name="maxParallelism">Most prompts scored at once; 0 means the processor count.</param>
    public LearnedRouterScorer(LearnedRouter router, string name, string description, int maxParallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(router);
        Router = router;
        Name = name;
        Description = description;
        _maxParallelism = maxParallelism > 0 ? maxParallelism : Environment.ProcessorCount;
    }

    /// <summary>The router scored.</summary>
    public LearnedRouter Router { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public double[] Score(IReadOnlyList<RouterSample> samples) => [.. Evaluate(samples).Select(s => s.Score)];

    /// <summary>p_head, the estimated tokens and the score of every sample, in order.</summary>
    public LearnedScore[] Evaluate(IReadOnlyList<RouterSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var scores = new LearnedScore[samples.Count];
        Parallel.For(0, samples.Count, new ParallelOptions { MaxDegreeOfParallelism = _maxParallelism },
            i => scores[i] = Router.Evaluate(PromptFeatures.OfText(samples[i].Prompt)));
        return scores;
    }
}
