using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;

namespace EdgeRouter.Routing.Routers;

/// <summary>
/// A router: given a request, a probability distribution over the route's models (weakest first) and the model it
/// picks, with the numbers that decided. Built once per configuration snapshot; thread-safe.
/// </summary>
public interface IRouter
{
    /// <summary>The router's name in traces and mixture weights.</summary>
    string Name { get; }

    /// <summary>Scores the request. <paramref name="models"/> are the route's models, weakest first.</summary>
    RouterVote Vote(RequestContext context, PromptFeatures features, IReadOnlyList<Configuration.ModelTarget> models);
}

/// <summary>Helpers for distributions over a route's models.</summary>
public static class Distribution
{
    /// <summary>All mass on <paramref name="index"/>.</summary>
    public static float[] OneHot(int count, int index)
    {
        var p = new float[count];
        p[index] = 1f;
        return p;
    }

    /// <summary>The index of the largest probability; ties go to the stronger (later) model.</summary>
    public static int ArgMax(ReadOnlySpan<float> p)
    {
        var best = 0;
        for (var i = 1; i < p.Length; i++)
        {
            if (p[i] >= p[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>Scales <paramref name="p"/> to sum to 1 (uniform when it sums to 0 or is not finite).</summary>
    public static void Normalize(Span<float> p)
    {
        var sum = 0f;
        foreach (var v in p)
        {
            sum += v;
        }

        if (!(sum > 0f) || !float.IsFinite(sum))
        {
            p.Fill(1f / p.Length);
            return;
        }

        for (var i = 0; i < p.Length; i++)
        {
            p[i] /= sum;
        }
    }

    /// <summary>Invariant-culture formatting with up to three decimals, for reasons.</summary>
    public static string F(double value) => value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
