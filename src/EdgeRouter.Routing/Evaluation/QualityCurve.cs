namespace EdgeRouter.Routing.Evaluation;

/// <summary>One operating point of a router: the share of prompts sent to the strong model and the mean quality.</summary>
/// <param name="StrongShare">Fraction of prompts routed to the strong model, in [0, 1].</param>
/// <param name="Quality">Mean quality over all prompts at that share, in the benchmark's unit.</param>
public readonly record struct CurvePoint(double StrongShare, double Quality);

/// <summary>
/// Quality versus strong-call share: a piecewise-linear curve through points sorted by share (ascending; equal
/// shares keep their order). Immutable.
/// </summary>
public sealed class QualityCurve
{
    private readonly CurvePoint[] _points;

    /// <summary>Creates a curve from points already sorted by share.</summary>
    /// <exception cref="ArgumentException">No points, a share outside [0, 1], a non-finite quality, or shares out of order.</exception>
    public QualityCurve(IReadOnlyList<CurvePoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0)
        {
            throw new ArgumentException("A curve needs at least one point.", nameof(points));
        }

        _points = [.. points];
        for (var i = 0; i < _points.Length; i++)
        {
            var p = _points[i];
            if (!(p.StrongShare is >= 0 and <= 1) || !double.IsFinite(p.Quality))
            {
                throw new ArgumentException($"Point {i} ({p.StrongShare}, {p.Quality}) is not a share in [0, 1] with a finite quality.", nameof(points));
            }

            if (i > 0 && p.StrongShare < _points[i - 1].StrongShare)
            {
                throw new ArgumentException($"Point {i} has a smaller share than point {i - 1}; sort the points by share.", nameof(points));
            }
        }
    }

    /// <summary>The points, by ascending share.</summary>
    public IReadOnlyList<CurvePoint> Points => _points;

    /// <summary>
    /// Area under the curve by the trapezoid rule over the points' shares (as <c>np.trapz(quality, share)</c> in
    /// RouteLLM), in quality units × share.
    /// </summary>
    public double Area()
    {
        var area = 0.0;
        for (var i = 1; i < _points.Length; i++)
        {
            area += (_points[i].StrongShare - _points[i - 1].StrongShare) * (_points[i].Quality + _points[i - 1].Quality) / 2;
        }

        return area;
    }

    /// <summary>Width of the share range the points cover (1 for every curve this library builds).</summary>
    public double ShareSpan => _points[^1].StrongShare - _points[0].StrongShare;

    /// <summary>
    /// The smallest share at which the linearly interpolated curve reaches <paramref name="quality"/>: the first
    /// point's share if it already does, else the first crossing; NaN if the curve never reaches it. For a curve
    /// whose quality rises with share this equals RouteLLM's <c>np.interp(quality, qualities, shares)</c>; for a
    /// curve that dips, RouteLLM's call is undefined (numpy requires increasing x), and the first crossing is the
    /// answer a deployment would use.
    /// </summary>
    public double ShareToReach(double quality)
    {
        if (_points[0].Quality >= quality)
        {
            return _points[0].StrongShare;
        }

        for (var i = 1; i < _points.Length; i++)
        {
            var (a, b) = (_points[i - 1], _points[i]);
            if (b.Quality >= quality)
            {
                // a.Quality < quality <= b.Quality, so the slope is positive.
                return a.StrongShare + (quality - a.Quality) / (b.Quality - a.Quality) * (b.StrongShare - a.StrongShare);
            }
        }

        return double.NaN;
    }

    /// <summary>
    /// Quality at <paramref name="share"/> by linear interpolation (the last point's quality where several points
    /// share that share); the end points' qualities outside the covered range.
    /// </summary>
    public double QualityAt(double share)
    {
        if (share <= _points[0].StrongShare)
        {
            return _points[0].Quality;
        }

        for (var i = 1; i < _points.Length; i++)
        {
            var (a, b) = (_points[i - 1], _points[i]);
            if (share < b.StrongShare)
            {
                return a.Quality + (share - a.StrongShare) / (b.StrongShare - a.StrongShare) * (b.Quality - a.Quality);
            }

            if (share == b.StrongShare && (i == _points.Length - 1 || _points[i + 1].StrongShare > share))
            {
                return b.Quality;
            }
        }

        return _points[^1].Quality;
    }

    /// <summary>
    /// The pointwise mean of several curves: evaluated by <see cref="QualityAt"/> on the union of their shares. Used
    /// for the expected curve of a stochastic router (curves of one random router over many seeds share their
    /// shares, so no interpolation happens there).
    /// </summary>
    public static QualityCurve Average(IReadOnlyList<QualityCurve> curves)
    {
        ArgumentNullException.ThrowIfNull(curves);
        ArgumentOutOfRangeException.ThrowIfZero(curves.Count);
        if (curves.Count == 1)
        {
            return curves[0];
        }

        var shares = curves.SelectMany(c => c._points.Select(p => p.StrongShare)).Distinct().Order().ToArray();
        var points = new CurvePoint[shares.Length];
        for (var i = 0; i < shares.Length; i++)
        {
            var share = shares[i];
            points[i] = new CurvePoint(share, curves.Average(c => c.QualityAt(share)));
        }

        return new QualityCurve(points);
    }
}
