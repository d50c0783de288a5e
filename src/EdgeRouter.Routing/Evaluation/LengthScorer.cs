namespace EdgeRouter.Routing.Evaluation;

/// <summary>
/// Rule baseline: the longer the prompt, the more likely it needs the strong model. Score = prompt length in UTF-16
/// characters (no tokenizer needed, so it runs without any model). Thread-safe.
/// </summary>
public sealed class LengthScorer : IRouterScorer
{
    /// <inheritdoc />
    public string Name => "length";

    /// <inheritdoc />
    public string Description => "prompt length in characters";

    /// <inheritdoc />
    public double[] Score(IReadOnlyList<RouterSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return [.. samples.Select(s => (double)s.Prompt.Length)];
    }
}
