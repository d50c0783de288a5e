namespace EdgeRouter.Routing.Learned;

/// <summary>
/// Settings of the <c>learned</c> router's logistic combiner (<c>"combine": { "head": a, "logTokens": b, "bias": c }</c>):
/// score = σ(a · logit(p_head) + b · ln(1 + estimated tokens) + c). Fit the coefficients with
/// <c>edgerouter calibrate --combine</c>. With a = 1, b = 0 and c = 0 the score is the head's probability.
/// </summary>
public sealed record LearnedCombineSettings
{
    /// <summary>a: weight of the head's logit, logit(p_head) = ln(p / (1 − p)). Default 1.</summary>
    public double Head { get; set; } = 1;

    /// <summary>b: weight of ln(1 + the prompt's estimated tokens) (UTF-8 bytes / 4, rounded up). Default 0.</summary>
    public double LogTokens { get; set; }

    /// <summary>c: the intercept. Default 0.</summary>
    public double Bias { get; set; }
}

/// <summary>
/// One prompt's router inputs and output: the head's probability, the prompt's estimated token count and the score
/// the threshold τ applies to (the head's probability itself when the router has no combiner).
/// </summary>
/// <param name="HeadProbability">p_head: the head's probability of its "needs the strong model" label, in [0, 1].</param>
/// <param name="EstimatedTokens">The prompt's estimated token count (<c>PromptFeatures.EstimatedTokens</c>).</param>
/// <param name="Score">What the router thresholds, in [0, 1].</param>
public readonly record struct LearnedScore(double HeadProbability, int EstimatedTokens, double Score);

/// <summary>
/// The logistic combiner of a <c>learned</c> router: score = σ(a · logit(p_head) + b · ln(1 + tokens) + c). Immutable;
/// thread-safe; allocation-free.
/// </summary>
public sealed class LearnedCombiner
{
    /// <summary>
    /// p_head is clamped to [ε, 1 − ε] before its logit, so a head that outputs exactly 0 or 1 (float softmax
    /// saturates at |logit| ≈ 17) still gives a finite score; ε = 1e-7 keeps every float probability distinct.
    /// </summary>
    public const double ProbabilityFloor = 1e-7;

    /// <summary>Creates the combiner.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A coefficient is not finite.</exception>
    public LearnedCombiner(double head, double logTokens, double bias)
    {
        if (!double.IsFinite(head) || !double.IsFinite(logTokens) || !double.IsFinite(bias))
        {
            throw new ArgumentOutOfRangeException(nameof(head), $"Combiner coefficients must be finite, got head={head}, logTokens={logTokens}, bias={bias}.");
        }

        Head = head;
        LogTokens = logTokens;
        Bias = bias;
    }

    /// <summary>a: weight of logit(p_head).</summary>
    public double Head { get; }

    /// <summary>b: weight of ln(1 + estimated tokens).</summary>
    public double LogTokens { get; }

    /// <summary>c: the intercept.</summary>
    public double Bias { get; }

    /// <summary>The combiner of <paramref name="settings"/>.</summary>
    public static LearnedCombiner From(LearnedCombineSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new LearnedCombiner(settings.Head, settings.LogTokens, settings.Bias);
    }

    /// <summary>The settings that give this combiner.</summary>
    public LearnedCombineSettings ToSettings() => new() { Head = Head, LogTokens = LogTokens, Bias = Bias };

    /// <summary>The combined score, in [0, 1].</summary>
    /// <param name="headProbability">p_head, in [0, 1] (clamped to [<see cref="ProbabilityFloor"/>, 1 − <see cref="ProbabilityFloor"/>]).</param>
    /// <param name="estimatedTokens">The prompt's estimated tokens (negative counts as 0).</param>
    public double Combine(double headProbability, int estimatedTokens) => Sigmoid(Logit(headProbability, estimatedTokens));

    /// <summary>The combined score's logit: a · logit(p_head) + b · ln(1 + tokens) + c.</summary>
    public double Logit(double headProbability, int estimatedTokens) =>
        (Head * Logit(headProbability)) + (LogTokens * LogTokensOf(estimatedTokens)) + Bias;

    /// <summary>ln(p / (1 − p)) of p clamped to [<see cref="ProbabilityFloor"/>, 1 − <see cref="ProbabilityFloor"/>] (NaN counts as 0.5).</summary>
    public static double Logit(double p)
    {
        p = double.IsNaN(p) ? 0.5 : Math.Clamp(p, ProbabilityFloor, 1 - ProbabilityFloor);
        return Math.Log(p / (1 - p));
    }

    /// <summary>ln(1 + tokens), the combiner's length feature (negative counts as 0).</summary>
    public static double LogTokensOf(int estimatedTokens) => Math.Log(1 + Math.Max(0, estimatedTokens));

    /// <summary>1 / (1 + e^−z), without overflow for large |z|.</summary>
    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
}
