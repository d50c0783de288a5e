using EdgeRouter.Routing.Learned;

namespace EdgeRouter.Routing.Evaluation;

/// <summary>Settings of <see cref="CombinerFit.Fit"/>.</summary>
public sealed record CombinerFitOptions
{
    /// <summary>L2 penalties λ tried (objective: mean log-loss + λ/2 · ‖w‖², the intercept not penalised). Default 0, 1e-3, 1e-2, 1e-1.</summary>
    public IReadOnlyList<double> L2Grid { get; init; } = [0, 1e-3, 1e-2, 1e-1];

    /// <summary>Cross-validation folds. Default 5.</summary>
    public int Folds { get; init; } = 5;

    /// <summary>Seed of the fold assignment. Default 20240618 (the baselines' seed).</summary>
    public int Seed { get; init; } = 20240618;
}

/// <summary>One candidate of the combiner's cross-validation.</summary>
/// <param name="UsesTokens">Whether ln(1 + estimated tokens) is a feature (else the head's logit alone).</param>
/// <param name="L2">The penalty.</param>
/// <param name="MeanApgr">Mean held-out APGR (exact curve) over the folds: the metric the router is judged by.</param>
/// <param name="ApgrStandardError">Standard error of that mean over the folds.</param>
/// <param name="MeanLogLoss">Mean held-out log-loss for the label.</param>
/// <param name="MeanRocAuc">Mean held-out ROC-AUC for the label.</param>
public sealed record CombinerCandidate(bool UsesTokens, double L2, double MeanApgr, double ApgrStandardError, double MeanLogLoss, double MeanRocAuc);

/// <summary>The fitted combiner, and the cross-validation that chose its features and penalty.</summary>
/// <param name="Combiner">The combiner refitted on every row with the chosen candidate.</param>
/// <param name="Chosen">The chosen candidate.</param>
/// <param name="Candidates">Every candidate, in the order tried.</param>
/// <param name="Rows">Rows fitted on.</param>
/// <param name="Folds">Cross-validation folds.</param>
public sealed record CombinerFitResult(LearnedCombiner Combiner, CombinerCandidate Chosen, IReadOnlyList<CombinerCandidate> Candidates, int Rows, int Folds);

/// <summary>
/// Fits a <see cref="LearnedCombiner"/> by logistic regression: P(label) = σ(a · logit(p_head) + b · ln(1 + tokens) + c),
/// the features being the router head's probability and the prompt's estimated tokens, the label (for the shipped
/// router: "strong right and weak wrong") what the score should predict. Which features (head alone, or head and
/// tokens) and which L2 penalty are chosen by k-fold cross-validation on mean held-out APGR, the metric the router
/// is judged by; ties go to the lower held-out log-loss. Deterministic; thread-safe.
/// </summary>
public static class CombinerFit
{
    /// <summary>Chooses and fits the combiner.</summary>
    /// <param name="headProbability">p_head per row.</param>
    /// <param name="estimatedTokens">Estimated tokens per row.</param>
    /// <param name="label">The label per row.</param>
    /// <param name="strongQuality">The strong model's quality per row (for APGR).</param>
    /// <param name="weakQuality">The weak model's quality per row (for APGR).</param>
    /// <param name="options">Penalties, folds and seed; defaults when null.</param>
    /// <exception cref="ArgumentException">Lengths differ, fewer rows than folds, a non-finite input, or a fold without both classes.</exception>
    public static CombinerFitResult Fit(IReadOnlyList<double> headProbability, IReadOnlyList<int> estimatedTokens, IReadOnlyList<bool> label,
        IReadOnlyList<double> strongQuality, IReadOnlyList<double> weakQuality, CombinerFitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(headProbability);
        ArgumentNullException.ThrowIfNull(estimatedTokens);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(strongQuality);
        ArgumentNullException.ThrowIfNull(weakQuality);
        options ??= new CombinerFitOptions();
        var n = headProbability.Count;
        if (estimatedTokens.Count != n || label.Count != n || strongQuality.Count != n || weakQuality.Count != n)
        {
            throw new ArgumentException("Every input needs one entry per row.", nameof(label));
        }

        if (options.Folds < 2 || n < options.Folds || options.L2Grid.Count == 0 || options.L2Grid.Any(l => !(l >= 0)))
        {
            throw new ArgumentException($"Cross-validation needs ≥ 2 folds, at least as many rows ({n}) and a non-empty grid of penalties ≥ 0.", nameof(options));
        }

        if (headProbability.Any(p => !double.IsFinite(p)))
        {
            throw new ArgumentException("Every head probability must be finite.", nameof(headProbability));
        }

        var features = new double[n][];
        for (var i = 0; i < n; i++)
        {
            features[i] = [LearnedCombiner.Logit(headProbability[i]), LearnedCombiner.LogTokensOf(estimatedTokens[i])];
        }

        var y = label.ToArray();
        var fold = TfidfLogisticScorer.AssignFolds(n, options.Folds, options.Seed);
        var candidates = new List<CombinerCandidate>();
        foreach (var usesTokens in new[] { false, true })
        {
            var width = usesTokens ? 2 : 1;
            foreach (var l2 in options.L2Grid.OrderDescending())
            {
                var apgr = new double[options.Folds];
                var logLoss = new double[options.Folds];
                var auc = new double[options.Folds];
                for (var k = 0; k < options.Folds; k++)
                {
                    var train = Enumerable.Range(0, n).Where(i => fold[i] != k).ToArray();
                    var held = Enumerable.Range(0, n).Where(i => fold[i] == k).ToArray();
                    var theta = SmallLogistic.Fit([.. train.Select(i => features[i])], [.. train.Select(i => y[i])], width, l2);
                    var z = held.Select(i => SmallLogistic.Logit(theta, features[i], width)).ToArray();
                    var heldLabels = held.Select(i => y[i]).ToArray();
                    var strong = held.Select(i => strongQuality[i]).ToArray();
                    var weak = held.Select(i => weakQuality[i]).ToArray();
                    apgr[k] = RouterMetrics.Apgr(RouterMetrics.FullCurve(z, strong, weak), strong.Average(), weak.Average());
                    auc[k] = RouterMetrics.RocAuc(z, heldLabels);
                    logLoss[k] = held.Select((_, j) => DenseMath.Softplus(z[j]) - (heldLabels[j] ? z[j] : 0)).Average();
                }

                if (auc.Any(double.IsNaN) || apgr.Any(double.IsNaN))
                {
                    throw new ArgumentException("A cross-validation fold has only one class or equal model quality; use more rows or fewer folds.", nameof(label));
                }

                var mean = apgr.Average();
                var se = Math.Sqrt(apgr.Sum(a => (a - mean) * (a - mean)) / options.Folds) / Math.Sqrt(options.Folds);
                candidates.Add(new CombinerCandidate(usesTokens, l2, mean, se, logLoss.Average(), auc.Average()));
            }
        }

        // Best mean APGR. The penalty does not change the head-alone ranking (a monotone map of p_head), so among
        // candidates with the same APGR the lowest held-out log-loss wins (the best-calibrated score); candidates come
        // simplest first, so an exact tie keeps the simpler.
        var best = candidates.Max(c => c.MeanApgr);
        var chosen = candidates.Where(c => c.MeanApgr >= best - 1e-12).Aggregate((a, b) => b.MeanLogLoss < a.MeanLogLoss ? b : a);
        var widthChosen = chosen.UsesTokens ? 2 : 1;
        var final = SmallLogistic.Fit(features, y, widthChosen, chosen.L2);
        var combiner = new LearnedCombiner(final[0], chosen.UsesTokens ? final[1] : 0, final[widthChosen]);
        return new CombinerFitResult(combiner, chosen, candidates, n, options.Folds);
    }
}

/// <summary>
/// Logistic regression on a few dense features by Newton's method (the Hessian is k+1 square for k features),
/// L2-penalised on the weights, not the intercept. Deterministic; for the combiner's one or two features.
/// </summary>
internal static class SmallLogistic
{
    /// <summary>θ = (w₁ … w_k, b) minimising mean log-loss + λ/2 · ‖w‖², using the first <paramref name="width"/> features of each row.</summary>
    public static double[] Fit(IReadOnlyList<double[]> rows, IReadOnlyList<bool> labels, int width, double l2)
    {
        var d = width + 1;
        var theta = new double[d];
        var gradient = new double[d];
        var hessian = new double[d, d];
        var n = rows.Count;
        var x = new double[d];
        var previous = double.PositiveInfinity;
        for (var iteration = 0; iteration < 100; iteration++)
        {
            Array.Clear(gradient);
            Array.Clear(hessian);
            var loss = 0.0;
            for (var i = 0; i < n; i++)
            {
                Row(rows[i], width, x);
                var z = Dot(theta, x);
                var p = LearnedCombiner.Sigmoid(z);
                loss += DenseMath.Softplus(z) - (labels[i] ? z : 0);
                var r = p - (labels[i] ? 1 : 0);
                var w = Math.Max(p * (1 - p), 1e-12);
                for (var a = 0; a < d; a++)
                {
                    gradient[a] += r * x[a] / n;
                    for (var b = 0; b < d; b++)
                    {
                        hessian[a, b] += w * x[a] * x[b] / n;
                    }
                }
            }

            for (var a = 0; a < width; a++)
            {
                loss += n * l2 / 2 * theta[a] * theta[a];
                gradient[a] += l2 * theta[a];
                hessian[a, a] += l2;
            }

            // A tiny ridge on every parameter keeps the system solvable on separable or constant data.
            for (var a = 0; a < d; a++)
            {
                hessian[a, a] += 1e-10;
            }

            var step = Solve(hessian, gradient);
            for (var a = 0; a < d; a++)
            {
                theta[a] -= step[a];
            }

            if (step.Max(Math.Abs) < 1e-10 || Math.Abs(previous - loss) < 1e-14 * Math.Max(1, loss))
            {
                break;
            }

            previous = loss;
        }

        return theta;
    }

    /// <summary>w · x + b for a row.</summary>
    public static double Logit(double[] theta, double[] row, int width)
    {
        var z = theta[width];
        for (var a = 0; a < width; a++)
        {
            z += theta[a] * row[a];
        }

        return z;
    }

    private static void Row(double[] row, int width, double[] x)
    {
        for (var a = 0; a < width; a++)
        {
            x[a] = row[a];
        }

        x[width] = 1;
    }

    private static double Dot(double[] a, double[] b)
    {
        var s = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    /// <summary>Solves H · s = g by Gaussian elimination with partial pivoting (H is small and positive definite).</summary>
    private static double[] Solve(double[,] h, double[] g)
    {
        var d = g.Length;
        var m = (double[,])h.Clone();
        var v = (double[])g.Clone();
        for (var c = 0; c < d; c++)
        {
            var pivot = c;
            for (var r = c + 1; r < d; r++)
            {
                if (Math.Abs(m[r, c]) > Math.Abs(m[pivot, c]))
                {
                    pivot = r;
                }
            }

            if (pivot != c)
            {
                for (var k = 0; k < d; k++)
                {
                    (m[c, k], m[pivot, k]) = (m[pivot, k], m[c, k]);
                }

                (v[c], v[pivot]) = (v[pivot], v[c]);
            }

            for (var r = c + 1; r < d; r++)
            {
                var f = m[r, c] / m[c, c];
                for (var k = c; k < d; k++)
                {
                    m[r, k] -= f * m[c, k];
                }

                v[r] -= f * v[c];
            }
        }

        var s = new double[d];
        for (var r = d - 1; r >= 0; r--)
        {
            var sum = v[r];
            for (var k = r + 1; k < d; k++)
            {
                sum -= m[r, k] * s[k];
            }

            s[r] = sum / m[r, r];
        }

        return s;
    }
}
