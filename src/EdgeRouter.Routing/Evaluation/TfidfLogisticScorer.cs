namespace EdgeRouter.Routing.Evaluation;

/// <summary>Settings of <see cref="TfidfLogisticScorer.Train"/>.</summary>
public sealed record TfidfLogisticOptions
{
    /// <summary>Router name in reports. Default <c>tfidf-lr</c>.</summary>
    public string Name { get; init; } = "tfidf-lr";

    /// <summary>What the training label means, for the description. Default <c>needs strong</c>.</summary>
    public string Label { get; init; } = "needs strong";

    /// <summary>The features. Default: word unigrams + bigrams, sublinear tf.</summary>
    public TfidfOptions Features { get; init; } = new();

    /// <summary>L2 penalties tried by cross-validation. Default 1e-5 … 3e-3 in half-decade steps.</summary>
    public IReadOnlyList<double> L2Grid { get; init; } = [3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5];

    /// <summary>Number of cross-validation folds. Default 5.</summary>
    public int Folds { get; init; } = 5;

    /// <summary>Seed of the fold assignment. Default 20240618.</summary>
    public int Seed { get; init; } = 20240618;

    /// <summary>Most folds trained at once. Default: the processor count.</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;
}

/// <summary>Cross-validated quality of one L2 penalty.</summary>
/// <param name="L2">The penalty.</param>
/// <param name="MeanRocAuc">Mean ROC-AUC over the held-out folds.</param>
public sealed record CrossValidationPoint(double L2, double MeanRocAuc);

/// <summary>
/// Baseline router: TF-IDF (word 1–2-grams, sublinear tf, L2-normalised) + L2-regularised logistic regression
/// predicting the training label (for the shipped head's label: the weak model answers wrong). The penalty is chosen by
/// k-fold cross-validation (mean held-out ROC-AUC) on the training rows only, each fold fitting its own vocabulary;
/// the model is then refitted on all of them. Score = P(label). Immutable after training; thread-safe.
/// </summary>
public sealed class TfidfLogisticScorer : IRouterScorer
{
    private readonly TfidfVectorizer _vectorizer;
    private readonly LogisticRegression _model;

    private readonly TfidfLogisticOptions _options;

    private TfidfLogisticScorer(TfidfVectorizer vectorizer, LogisticRegression model, double l2, TfidfLogisticOptions options, IReadOnlyList<CrossValidationPoint> crossValidation)
    {
        _options = options;
        _vectorizer = vectorizer;
        _model = model;
        L2 = l2;
        CrossValidation = crossValidation;
    }

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <inheritdoc />
    public string Description => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"TF-IDF word 1-2-grams{(_options.Features.SublinearTf ? " (sublinear tf)" : "")} + logistic regression, λ = {L2:0.######} chosen by {Folds}-fold cross-validation on the training rows; score = P({_options.Label})");

    /// <summary>Number of cross-validation folds used to choose <see cref="L2"/>.</summary>
    public int Folds => _options.Folds;

    /// <summary>The chosen L2 penalty.</summary>
    public double L2 { get; }

    /// <summary>Every penalty tried, with its cross-validated ROC-AUC.</summary>
    public IReadOnlyList<CrossValidationPoint> CrossValidation { get; }

    /// <summary>Number of terms in the final vocabulary.</summary>
    public int FeatureCount => _vectorizer.FeatureCount;

    /// <summary>Chooses the penalty by cross-validation on <paramref name="samples"/> and fits the final model on all of them.</summary>
    /// <param name="samples">Training prompts (never evaluation rows).</param>
    /// <param name="labels">Whether each prompt needs the strong model.</param>
    /// <param name="options">Features, penalty grid and folds; defaults when null.</param>
    /// <exception cref="ArgumentException">Lengths differ, fewer rows than folds, or a fold lacks one of the classes.</exception>
    public static TfidfLogisticScorer Train(IReadOnlyList<RouterSample> samples, IReadOnlyList<bool> labels, TfidfLogisticOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(labels);
        options ??= new TfidfLogisticOptions();
        if (samples.Count != labels.Count)
        {
            throw new ArgumentException($"{samples.Count} samples but {labels.Count} labels.", nameof(labels));
        }

        if (options.Folds < 2 || samples.Count < options.Folds || options.L2Grid.Count == 0)
        {
            throw new ArgumentException($"Cross-validation needs ≥ 2 folds, at least as many rows ({samples.Count}) and a non-empty penalty grid.", nameof(options));
        }

        var prompts = samples.Select(s => s.Prompt).ToArray();
        var fold = AssignFolds(samples.Count, options.Folds, options.Seed);
        var grid = options.L2Grid.OrderDescending().ToArray();
        var auc = new double[options.Folds, grid.Length];
        Parallel.For(0, options.Folds, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxParallelism) }, k =>
        {
            var train = Enumerable.Range(0, prompts.Length).Where(i => fold[i] != k).ToArray();
            var held = Enumerable.Range(0, prompts.Length).Where(i => fold[i] == k).ToArray();
            var vectorizer = TfidfVectorizer.Fit([.. train.Select(i => prompts[i])], options.Features);
            var xTrain = vectorizer.Transform([.. train.Select(i => prompts[i])]);
            var xHeld = vectorizer.Transform([.. held.Select(i => prompts[i])]);
            var yTrain = train.Select(i => labels[i]).ToArray();
            var yHeld = held.Select(i => labels[i]).ToArray();
            LogisticRegression? previous = null;

            // Strongest penalty first, each fit warm-started from the last: the optimum is unique, so this only saves iterations.
            for (var j = 0; j < grid.Length; j++)
            {
                previous = LogisticRegression.Fit(xTrain, yTrain, new LogisticRegressionOptions { L2 = grid[j] }, previous);
                auc[k, j] = RouterMetrics.RocAuc(previous.PredictProbabilities(xHeld), yHeld);
            }
        });

        var points = new CrossValidationPoint[grid.Length];
        for (var j = 0; j < grid.Length; j++)
        {
            var mean = 0.0;
            for (var k = 0; k < options.Folds; k++)
            {
                mean += auc[k, j];
            }

            points[j] = new CrossValidationPoint(grid[j], mean / options.Folds);
        }

        if (points.Any(p => double.IsNaN(p.MeanRocAuc)))
        {
            throw new ArgumentException("A cross-validation fold has only one class; use more rows or fewer folds.", nameof(labels));
        }

        // Best mean AUC; on a tie the stronger penalty (it comes first).
        var best = points.Aggregate((a, b) => b.MeanRocAuc > a.MeanRocAuc ? b : a);
        var final = TfidfVectorizer.Fit(prompts, options.Features);
        var model = LogisticRegression.Fit(final.Transform(prompts), labels.ToArray(), new LogisticRegressionOptions { L2 = best.L2 });
        return new TfidfLogisticScorer(final, model, best.L2, options, points);
    }

    /// <inheritdoc />
    public double[] Score(IReadOnlyList<RouterSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return _model.PredictProbabilities(_vectorizer.Transform([.. samples.Select(s => s.Prompt)]));
    }

    /// <summary>Fold of each of <paramref name="count"/> rows: a seeded shuffle, then round-robin, so folds differ in size by at most one.</summary>
    public static int[] AssignFolds(int count, int folds, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 1);
        var order = Enumerable.Range(0, count).ToArray();
#pragma warning disable CA5394 // not security-sensitive: a reproducible fold split
        new Random(seed).Shuffle(order);
#pragma warning restore CA5394
        var fold = new int[count];
        for (var i = 0; i < count; i++)
        {
            fold[order[i]] = i % folds;
        }

        return fold;
    }
}
