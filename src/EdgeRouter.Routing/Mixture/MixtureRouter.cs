using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;
using EdgeRouter.Routing.Routers;

namespace EdgeRouter.Routing.Mixture;

/// <summary>
/// Mixture-of-Routers: P(m|x) = Σᵢ wᵢ(x)·rᵢ(m|x) / Σᵢ wᵢ(x), with the weights wᵢ chosen per request from its class
/// (a priority header, the tenant's SLA, the recognised intent) and scaled down for routers whose picks have been
/// disagreeing with verified outcomes. The most probable model wins; when the runner-up is within the confidence
/// floor and stronger, the request escalates to it. Thread-safe.
/// </summary>
public sealed class MixtureRouter
{
    private readonly IRouter[] _routers;
    private readonly RouterAgreement[] _agreement;
    private readonly Dictionary<string, double[]> _weights;
    private readonly MixtureClasses _classes;
    private readonly double _confidenceFloor;

    /// <summary>Creates the mixture.</summary>
    /// <param name="routers">Member routers.</param>
    /// <param name="weights">Class → one weight per member (same order); must contain <c>default</c>.</param>
    /// <param name="classes">How a request's class is found.</param>
    /// <param name="confidenceFloor">Near-tie margin below which the stronger of the top two is chosen.</param>
    /// <param name="feedback">Outcome feedback settings.</param>
    public MixtureRouter(IReadOnlyList<IRouter> routers, IReadOnlyDictionary<string, double[]> weights, MixtureClasses classes,
        double confidenceFloor, MixtureFeedback feedback)
    {
        ArgumentNullException.ThrowIfNull(routers);
        ArgumentNullException.ThrowIfNull(weights);
        _routers = [.. routers];
        _agreement = [.. routers.Select(_ => new RouterAgreement(feedback))];
        _weights = new Dictionary<string, double[]>(weights, StringComparer.Ordinal);
        _classes = classes;
        _confidenceFloor = confidenceFloor;
    }

    /// <summary>The member routers.</summary>
    public IReadOnlyList<IRouter> Routers => _routers;

    /// <summary>Each member's agreement tracker (same order as <see cref="Routers"/>).</summary>
    public IReadOnlyList<RouterAgreement> Agreement => _agreement;

    /// <summary>The request's class: the header's value if it names a class, else the tenant's, else the intent's, else <c>default</c>.</summary>
    public string ClassOf(RequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var header = context.Headers[_classes.Header];
        if (header.Count == 1 && header[0] is { } named && _weights.ContainsKey(named))
        {
            return named;
        }

        if (_classes.Tenants.TryGetValue(context.Tenant, out var byTenant) && _weights.ContainsKey(byTenant))
        {
            return byTenant;
        }

        if (context.HasRouting && context.Routing.Intent is { } intent && _classes.Intents.TryGetValue(intent, out var byIntent)
            && _weights.ContainsKey(byIntent))
        {
            return byIntent;
        }

        return "default";
    }

    /// <summary>Runs every member, records their votes and the combined one in <c>context.Routing</c>.</summary>
    public RouterVote Route(RequestContext context, PromptFeatures features, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        var routing = context.Routing;
        var models = routing.Models;
        var requestClass = ClassOf(context);
        var baseWeights = _weights[requestClass];
        var combined = new float[models.Count];
        var weights = new KeyValuePair<string, float>[_routers.Length];
        var picks = new int[_routers.Length];
        var total = 0.0;
        for (var i = 0; i < _routers.Length; i++)
        {
            var weight = baseWeights[i] * _agreement[i].Multiplier;
            weights[i] = new(_routers[i].Name, (float)weight);
            if (weight <= 0)
            {
                picks[i] = -1;
                continue; // a router with no say for this class is not run
            }

            var vote = _routers[i].Vote(context, features, models);
            routing.Record(vote, adopt: false);
            picks[i] = vote.Choice;
            total += weight;
            for (var m = 0; m < combined.Length; m++)
            {
                combined[m] += (float)(weight * vote.Distribution[m]);
            }
        }

        Distribution.Normalize(combined);
        var choice = Distribution.ArgMax(combined);
        var runnerUp = -1;
        for (var m = 0; m < combined.Length; m++)
        {
            if (m != choice && (runnerUp < 0 || combined[m] > combined[runnerUp]))
            {
                runnerUp = m;
            }
        }

        var margin = runnerUp < 0 ? 1 : combined[choice] - combined[runnerUp];
        var reason = $"class {requestClass}: {models[choice].Id} p={Distribution.F(combined[choice])}";
        var escalate = runnerUp > choice && margin < _confidenceFloor;
        var combinedVote = new RouterVote(name, combined, choice, reason, weights, Mixture: true);
        routing.Record(combinedVote);
        if (escalate)
        {
            routing.Escalate(runnerUp, $"near tie, margin {Distribution.F(margin)} < floor {Distribution.F(_confidenceFloor)}");
        }

        var chosen = routing.Choice;
        routing.OnAnswered(outcome => Learn(outcome, picks, chosen));
        return combinedVote;
    }

    /// <summary>
    /// A verified outcome says whether the chosen model sufficed. A member agreed when it picked that model or a
    /// cheaper one and the answer passed, or a stronger one and it failed.
    /// </summary>
    private void Learn(RoutingOutcome outcome, int[] picks, int chosen)
    {
        if (outcome.FirstChoiceAcceptable is not { } sufficed)
        {
            return;
        }

        for (var i = 0; i < picks.Length; i++)
        {
            if (picks[i] >= 0)
            {
                _agreement[i].Observe(sufficed ? picks[i] <= chosen : picks[i] > chosen);
            }
        }
    }
}
