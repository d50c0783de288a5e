namespace EdgeRouter.Pipeline;

/// <summary>What a stage asks the pipeline to do next.</summary>
public enum StageOutcomeKind : byte
{
    /// <summary>Run the next stage.</summary>
    Continue,

    /// <summary>Dispatch to the decision's candidates; no further stages run.</summary>
    Decide,

    /// <summary>Send the stage's response to the client; no further stages run and nothing is dispatched.</summary>
    Respond,
}

/// <summary>The result of one stage: continue, a routing decision, or a finished response.</summary>
public readonly struct StageOutcome
{
    private StageOutcome(StageOutcomeKind kind, RoutingDecision? decision, GatewayResponse? response)
    {
        Kind = kind;
        Decision = decision;
        Response = response;
    }

    /// <summary>Run the next stage.</summary>
    public static StageOutcome Continue => default;

    /// <summary>What the pipeline does next.</summary>
    public StageOutcomeKind Kind { get; }

    /// <summary>Set when <see cref="Kind"/> is <see cref="StageOutcomeKind.Decide"/>.</summary>
    public RoutingDecision? Decision { get; }

    /// <summary>Set when <see cref="Kind"/> is <see cref="StageOutcomeKind.Respond"/>.</summary>
    public GatewayResponse? Response { get; }

    /// <summary>Dispatch to <paramref name="decision"/>'s candidates in order.</summary>
    public static StageOutcome Decide(RoutingDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return new(StageOutcomeKind.Decide, decision, null);
    }

    /// <summary>Answer with <paramref name="response"/>.</summary>
    public static StageOutcome Respond(GatewayResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new(StageOutcomeKind.Respond, null, response);
    }
}
