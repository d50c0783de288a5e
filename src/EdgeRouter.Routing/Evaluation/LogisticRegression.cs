namespace EdgeRouter.Routing.Evaluation;

/// <summary>Settings of <see cref="LogisticRegression.Fit"/>.</summary>
public sealed record LogisticRegressionOptions
{
    /// <summary>
    /// L2 penalty λ on the weights (not the bias): the objective is the mean log-loss + λ/2·‖w‖². Default 1e-4.
    /// </summary>
    public double L2 { get; init; } = 1e-4;

    /// <summary>L-BFGS iteration cap. Default 500.</summary>
    public int MaxIterations { get; init; } = 500;

    /// <summary>Stop when every gradient entry is at most this in absolute value. Default 1e-5.</summary>
    public double GradientTolerance { get; init; } = 1e-5;

    /// <summary>Number of correction pairs L-BFGS keeps. Default 10.</summary>
    public int History { get; init; } = 10;
}

/// <summary>
/// Binary logistic regression on sparse rows, L2-regularised, fitted by L-BFGS from zero weights (deterministic: no
/// random initialisation). Immutable after fitting; thread-safe.
/// </summary>
public sealed class LogisticRegression
{
    private readonly double[] _weights;

    private LogisticRegression(double[] weights, double bias, int iterations, bool converged, double loss)
    {
        _weights = weights;
        Bias = bias;
        Iterations = iterations;
        Converged = converged;
        Loss = loss;
    }

    /// <summary>One weight per column.</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>The intercept.</summary>
    public double Bias { get; }

    /// <summary>L-BFGS iterations run.</summary>
    public int Iterations { get; }

    /// <summary>Whether the gradient tolerance was reached (else the iteration cap or a failed line search stopped it).</summary>
    public bool Converged { get; }

    /// <summary>The regularised objective at the solution.</summary>
    public double Loss { get; }

    /// <summary>Fits P(label | row) = σ(w·x + b).</summary>
    /// <param name="rows">One row per example.</param>
    /// <param name="labels">One label per row.</param>
    /// <param name="options">Penalty and stopping rule; defaults when null.</param>
    /// <param name="start">Weights (and the bias last) to start from, e.g. the solution for a nearby penalty; zeros when null.</param>
    public static LogisticRegression Fit(SparseMatrix rows, ReadOnlySpan<bool> labels, LogisticRegressionOptions? options = null, LogisticRegression? start = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (labels.Length != rows.RowCount)
        {
            throw new ArgumentException($"{rows.RowCount} rows but {labels.Length} labels.", nameof(labels));
        }

        ArgumentOutOfRangeException.ThrowIfZero(rows.RowCount);
        options ??= new LogisticRegressionOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.L2);
        var d = rows.ColumnCount;
        var n = rows.RowCount;
        var y = labels.ToArray();
        var lambda = options.L2;
        var parameters = new double[d + 1];
        if (start is not null && start._weights.Length == d)
        {
            start._weights.CopyTo(parameters, 0);
            parameters[d] = start.Bias;
        }

        var residual = new double[n];
        double Objective(ReadOnlySpan<double> theta, Span<double> gradient)
        {
            var w = theta[..d];
            var b = theta[d];
            var loss = 0.0;
            for (var i = 0; i < n; i++)
            {
                var z = rows.Dot(i, w) + b;
                loss += DenseMath.Softplus(z) - (y[i] ? z : 0);
                residual[i] = (DenseMath.Sigmoid(z) - (y[i] ? 1 : 0)) / n;
            }

            var g = gradient[..d];
            w.CopyTo(g);
            for (var j = 0; j < d; j++)
            {
                g[j] *= lambda;
            }

            var gb = 0.0;
            for (var i = 0; i < n; i++)
            {
                rows.AddScaledRow(i, residual[i], g);
                gb += residual[i];
            }

            gradient[d] = gb;
            return loss / n + lambda / 2 * DenseMath.Dot(w, w);
        }

        var result = Lbfgs.Minimize(parameters, Objective, options.History, options.MaxIterations, options.GradientTolerance);
        return new LogisticRegression(parameters[..d], parameters[d], result.Iterations, result.Converged, result.Value);
    }

    /// <summary>w·x + b for row <paramref name="row"/> of <paramref name="rows"/>.</summary>
    public double Logit(SparseMatrix rows, int row)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return rows.Dot(row, _weights) + Bias;
    }

    /// <summary>P(label) for every row.</summary>
    public double[] PredictProbabilities(SparseMatrix rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var p = new double[rows.RowCount];
        for (var i = 0; i < p.Length; i++)
        {
            p[i] = DenseMath.Sigmoid(Logit(rows, i));
        }

        return p;
    }
}

/// <summary>Limited-memory BFGS with a backtracking (Armijo) line search, for smooth convex objectives.</summary>
internal static class Lbfgs
{
    /// <summary>Returns f(x) and writes ∇f(x) into the gradient.</summary>
    public delegate double Objective(ReadOnlySpan<double> x, Span<double> gradient);

    /// <summary>Minimises <paramref name="f"/> starting from, and overwriting, <paramref name="x"/>.</summary>
    public static (int Iterations, bool Converged, double Value) Minimize(double[] x, Objective f, int history, int maxIterations, double tolerance)
    {
        var n = x.Length;
        var g = new double[n];
        var fx = f(x, g);
        var s = new double[history][];
        var yv = new double[history][];
        var rho = new double[history];
        var alpha = new double[history];
        var stored = 0;
        var newest = -1;
        var direction = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var sNext = new double[n];
        var yNext = new double[n];
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            if (DenseMath.MaxAbs(g) <= tolerance)
            {
                return (iteration, true, fx);
            }

            // Two-loop recursion: direction = -H·g.
            g.CopyTo(direction, 0);
            for (var k = 0; k < stored; k++)
            {
                var i = (newest - k + history) % history;
                alpha[i] = rho[i] * DenseMath.Dot(s[i], direction);
                DenseMath.Axpy(-alpha[i], yv[i], direction);
            }

            var gamma = stored > 0
                ? DenseMath.Dot(s[newest], yv[newest]) / DenseMath.Dot(yv[newest], yv[newest])
                : 1 / Math.Max(1, Math.Sqrt(DenseMath.Dot(g, g)));
            for (var j = 0; j < n; j++)
            {
                direction[j] *= gamma;
            }

            for (var k = stored - 1; k >= 0; k--)
            {
                var i = (newest - k + history) % history;
                var beta = rho[i] * DenseMath.Dot(yv[i], direction);
                DenseMath.Axpy(alpha[i] - beta, s[i], direction);
            }

            for (var j = 0; j < n; j++)
            {
                direction[j] = -direction[j];
            }

            var slope = DenseMath.Dot(direction, g);
            if (slope >= 0)
            {
                // Not a descent direction (numerical trouble): restart from steepest descent.
                stored = 0;
                var scale = 1 / Math.Max(1, Math.Sqrt(DenseMath.Dot(g, g)));
                for (var j = 0; j < n; j++)
                {
                    direction[j] = -scale * g[j];
                }

                slope = DenseMath.Dot(direction, g);
            }

            var step = 1.0;
            double fNew;
            var accepted = false;
            for (var tries = 0; ; tries++)
            {
                for (var j = 0; j < n; j++)
                {
                    xNew[j] = x[j] + step * direction[j];
                }

                fNew = f(xNew, gNew);
                if (fNew <= fx + 1e-4 * step * slope)
                {
                    accepted = true;
                    break;
                }

                if (tries == 40)
                {
                    break;
                }

                step /= 2;
            }

            if (!accepted)
            {
                return (iteration, false, fx);
            }

            for (var j = 0; j < n; j++)
            {
                sNext[j] = xNew[j] - x[j];
                yNext[j] = gNew[j] - g[j];
            }

            // Keep the pair only if it keeps the inverse-Hessian estimate positive definite.
            var sy = DenseMath.Dot(sNext, yNext);
            if (sy > 1e-12)
            {
                newest = (newest + 1) % history;
                // The slot takes the new pair's buffers; the buffers it held (the oldest pair) are reused next time.
                var (oldS, oldY) = (s[newest] ?? new double[n], yv[newest] ?? new double[n]);
                (s[newest], yv[newest]) = (sNext, yNext);
                (sNext, yNext) = (oldS, oldY);
                rho[newest] = 1 / sy;
                stored = Math.Min(stored + 1, history);
            }

            var improvement = fx - fNew;
            xNew.CopyTo(x, 0);
            gNew.CopyTo(g, 0);
            fx = fNew;
            if (improvement <= 1e-13 * Math.Max(1, Math.Abs(fx)))
            {
                return (iteration + 1, DenseMath.MaxAbs(g) <= tolerance, fx);
            }
        }

        return (maxIterations, DenseMath.MaxAbs(g) <= tolerance, fx);
    }
}
