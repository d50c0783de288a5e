using EdgeRouter.Configuration;

namespace EdgeRouter.Pipeline;

/// <summary>
/// The models a request will be dispatched to, in order: the first is the choice, the rest are tried when it
/// fails before the first byte reaches the client. Immutable; stages may cache and reuse instances.
/// </summary>
public sealed class RoutingDecision
{
    /// <summary>Creates a decision. <paramref name="candidates"/> must not be empty.</summary>
    /// <param name="candidates">Models in the order they are tried.</param>
    /// <param name="reason">Why these models, for the decision log (e.g. <c>weighted 3:1 drew sim/cheap</c>).</param>
    public RoutingDecision(IReadOnlyList<ModelTarget> candidates, string reason)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentOutOfRangeException.ThrowIfZero(candidates.Count);
        Candidates = candidates;
        Reason = reason;
    }

    /// <summary>Models in the order they are tried.</summary>
    public IReadOnlyList<ModelTarget> Candidates { get; }

    /// <summary>Why these models were chosen.</summary>
    public string Reason { get; }
}
