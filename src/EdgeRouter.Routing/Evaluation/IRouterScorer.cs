namespace EdgeRouter.Routing.Evaluation;

/// <summary>
/// A router under evaluation: gives every prompt a score, higher meaning more likely to need the strong model. Only
/// the order of the scores matters to the metrics (a router routes to the strong model above a threshold), so a
/// score may be a probability, a length or a rank. Implementations must be deterministic for a given instance;
/// a stochastic router is evaluated as several instances with different seeds (see <see cref="RandomScorer"/>).
/// </summary>
public interface IRouterScorer
{
    /// <summary>Short name used in reports and on the command line, e.g. <c>learned</c>.</summary>
    string Name { get; }

    /// <summary>One line saying what the score is, for the report.</summary>
    string Description { get; }

    /// <summary>Scores every sample; the result has one entry per sample, in order, each finite.</summary>
    /// <param name="samples">The prompts to score.</param>
    double[] Score(IReadOnlyList<RouterSample> samples);
}
