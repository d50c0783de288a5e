using EdgeRouter.Configuration;

namespace EdgeRouter.Pipeline.Routing;

/// <summary>
/// What the routers of one request said and what the dispatch strategy did with it: the route's candidate models,
/// every router's distribution, the adopted choice, verifier verdicts, escalations and the cost of extra calls.
/// One instance per request (see <see cref="RequestContext.Routing"/>); not thread-safe except where noted.
/// </summary>
public sealed class RoutingState
{
    private readonly List<RouterVote> _votes = new(4);
    private List<VerifierVerdict>? _verdicts;
    private List<string>? _escalations;
    private List<Action<RoutingOutcome>>? _answered;
    private readonly Lock _gate = new();

    /// <summary>Creates the state for a route whose candidates are <paramref name="models"/> (weakest first).</summary>
    public RoutingState(IReadOnlyList<ModelTarget> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        Models = models;
    }

    /// <summary>The route's candidate models, ordered from the weakest (cheapest) to the strongest.</summary>
    public IReadOnlyList<ModelTarget> Models { get; }

    /// <summary>Every router's vote, in the order the routers ran (sub-routers of a mixture included).</summary>
    public IReadOnlyList<RouterVote> Votes => _votes;

    /// <summary>The distribution dispatch follows (the last adopted vote's); null while no router has run.</summary>
    public float[]? Distribution { get; private set; }

    /// <summary>Index into <see cref="Models"/> of the chosen model, or -1 while no router has chosen.</summary>
    public int Choice { get; private set; } = -1;

    /// <summary>The chosen model, or null.</summary>
    public ModelTarget? Chosen => Choice >= 0 ? Models[Choice] : null;

    /// <summary>The router whose vote was adopted last.</summary>
    public string? ChosenBy { get; private set; }

    /// <summary>True once a rule or a sticky conversation fixed the model; later routers only record advice.</summary>
    public bool Pinned { get; private set; }

    /// <summary>
    /// How sure the adopted distribution is: the probability of the chosen model minus the next most probable one
    /// (1 when pinned or when only one model is possible).
    /// </summary>
    public float Confidence { get; private set; }

    /// <summary>Verifier verdicts, in the order they were given (thread-safe: racing answers add concurrently).</summary>
    public IReadOnlyList<VerifierVerdict> Verdicts
    {
        get
        {
            lock (_gate)
            {
                return _verdicts is null ? [] : [.. _verdicts];
            }
        }
    }

    /// <summary>Escalations, e.g. <c>sim/cheap→sim/strong: judge failed</c>.</summary>
    public IReadOnlyList<string> Escalations => (IReadOnlyList<string>?)_escalations ?? [];

    /// <summary>USD spent on calls whose answer the client did not get (escalated tiers, race losers, judges, samples).</summary>
    public decimal ExtraCostUsd { get; private set; }

    /// <summary>
    /// Whether the answer of the model the routers chose passed the strategy's checks: null when nothing verified it
    /// (direct dispatch). Routers that learn from outcomes read this.
    /// </summary>
    public bool? FirstChoiceAcceptable { get; set; }

    /// <summary>The request's intent, when an intent router recognised one (a mixture may pick its weights by it).</summary>
    public string? Intent { get; set; }

    /// <summary>Per-request features routers share (the prompt's text, embeddings, head outputs); owned by the routing stages.</summary>
    public object? Features { get; set; }

    /// <summary>How the strategy dispatched (<c>direct</c>, <c>cascade</c>, <c>race</c>, <c>single</c>), once known.</summary>
    public string? Strategy { get; set; }

    /// <summary>Index of <paramref name="model"/> in <see cref="Models"/>, or -1.</summary>
    public int IndexOf(ModelTarget model)
    {
        for (var i = 0; i < Models.Count; i++)
        {
            if (ReferenceEquals(Models[i], model) || Models[i].Id == model.Id)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Records a router's vote. When <paramref name="adopt"/> is true and the choice is not pinned, the vote's
    /// distribution and choice become the ones dispatch follows.
    /// </summary>
    public void Record(RouterVote vote, bool adopt = true)
    {
        ArgumentNullException.ThrowIfNull(vote);
        _votes.Add(vote);
        if (adopt && !Pinned)
        {
            Adopt(vote);
        }
    }

    /// <summary>Fixes the model (a matching rule, a sticky conversation); later votes are recorded but not adopted.</summary>
    public void Pin(RouterVote vote)
    {
        ArgumentNullException.ThrowIfNull(vote);
        _votes.Add(vote);
        Adopt(vote);
        Pinned = true;
        Confidence = 1f;
    }

    /// <summary>Changes the choice to a stronger model when a near-tie or a failed check calls for it.</summary>
    public void Escalate(int index, string reason)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Models.Count);
        var from = Chosen?.Id ?? "none";
        (_escalations ??= []).Add($"{from}→{Models[index].Id}: {reason}");
        Choice = index;
    }

    /// <summary>Records an escalation that happened during dispatch (a cascade tier failing its check).</summary>
    public void NoteEscalation(ModelTarget from, ModelTarget to, string reason)
    {
        lock (_gate)
        {
            (_escalations ??= []).Add($"{from.Id}→{to.Id}: {reason}");
        }
    }

    /// <summary>Records a verifier's verdict. Thread-safe.</summary>
    public void AddVerdict(VerifierVerdict verdict)
    {
        lock (_gate)
        {
            (_verdicts ??= []).Add(verdict);
        }
    }

    /// <summary>Adds the cost of a call whose answer the client did not receive. Thread-safe.</summary>
    public void AddExtraCost(decimal usd)
    {
        lock (_gate)
        {
            ExtraCostUsd += usd;
        }
    }

    /// <summary>Registers a callback run once the request has been answered (sticky conversations, router feedback).</summary>
    public void OnAnswered(Action<RoutingOutcome> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        (_answered ??= []).Add(callback);
    }

    /// <summary>Runs the <see cref="OnAnswered"/> callbacks; exceptions propagate to the caller, which logs them.</summary>
    public void NotifyAnswered(RoutingOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (_answered is null)
        {
            return;
        }

        foreach (var callback in _answered)
        {
            callback(outcome);
        }
    }

    /// <summary>Candidates in dispatch order: the choice first, then the others by falling probability (stronger first on ties).</summary>
    public IReadOnlyList<ModelTarget> OrderedCandidates()
    {
        var order = new int[Models.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var distribution = Distribution;
        var choice = Choice;
        Array.Sort(order, (a, b) =>
        {
            if (a == choice || b == choice)
            {
                return a == choice ? (b == choice ? 0 : -1) : 1;
            }

            var pa = distribution is null ? 0f : distribution[a];
            var pb = distribution is null ? 0f : distribution[b];
            return pa != pb ? pb.CompareTo(pa) : b.CompareTo(a);
        });
        var result = new ModelTarget[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            result[i] = Models[order[i]];
        }

        return result;
    }

    private void Adopt(RouterVote vote)
    {
        Distribution = vote.Distribution;
        Choice = vote.Choice;
        ChosenBy = vote.Router;
        Confidence = Margin(vote.Distribution, vote.Choice);
    }

    /// <summary>The probability of <paramref name="choice"/> minus the largest other probability.</summary>
    public static float Margin(ReadOnlySpan<float> distribution, int choice)
    {
        if (distribution.Length <= 1)
        {
            return 1f;
        }

        var other = 0f;
        for (var i = 0; i < distribution.Length; i++)
        {
            if (i != choice && distribution[i] > other)
            {
                other = distribution[i];
            }
        }

        return Math.Clamp(distribution[choice] - other, -1f, 1f);
    }
}

/// <summary>One router's opinion: a distribution over the route's models, the model it picks and why.</summary>
/// <param name="Router">The router's name (its stage kind, or its name inside a mixture).</param>
/// <param name="Distribution">One probability per route model (same order as <see cref="RoutingState.Models"/>), summing to 1.</param>
/// <param name="Choice">The index the router picks (usually the most probable; a cost router may pick the cheapest adequate one).</param>
/// <param name="Reason">Why, in a few words with the numbers that decided (e.g. <c>p(strong)=0.71 ≥ τ=0.55</c>).</param>
/// <param name="Weights">For a mixture: the weight each sub-router got for this request.</param>
/// <param name="Mixture">True for a mixture's combined vote; sub-router votes are recorded before it.</param>
public sealed record RouterVote(
    string Router,
    float[] Distribution,
    int Choice,
    string Reason,
    IReadOnlyList<KeyValuePair<string, float>>? Weights = null,
    bool Mixture = false);

/// <summary>A verifier's verdict on one answer.</summary>
/// <param name="Verifier">The verifier (<c>json-schema</c>, <c>refusal</c>, <c>consistency</c>, <c>judge</c>, …).</param>
/// <param name="Model">The model whose answer was checked.</param>
/// <param name="Passed">True when the answer is acceptable.</param>
/// <param name="Reason">Why, e.g. <c>finish_reason=length</c> or <c>judge score 3 &lt; 7</c>.</param>
public readonly record struct VerifierVerdict(string Verifier, string Model, bool Passed, string Reason);

/// <summary>How a routed request ended, for routers that learn from outcomes and for sticky conversations.</summary>
/// <param name="Model">The model whose answer the client received (null when none did).</param>
/// <param name="Succeeded">True when the client received an answer.</param>
/// <param name="FirstChoiceAcceptable">
/// For strategies that verify: whether the routed (first) choice's answer passed its checks; null when nothing was verified.
/// </param>
/// <param name="Escalated">True when a stronger model answered than the routers chose.</param>
/// <param name="LatencyMs">Wall time of the upstream exchange that answered, in milliseconds (0 when unknown).</param>
public sealed record RoutingOutcome(ModelTarget? Model, bool Succeeded, bool? FirstChoiceAcceptable, bool Escalated, double LatencyMs);
