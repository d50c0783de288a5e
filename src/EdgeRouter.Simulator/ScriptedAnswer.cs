namespace EdgeRouter.Simulator;

/// <summary>What a scripted answer does instead of the simulator's generated words.</summary>
public enum ScriptedBehaviour
{
    /// <summary>Answer with <see cref="ScriptedAnswer.Content"/>.</summary>
    Answer,

    /// <summary>Answer with a refusal ("I'm sorry, but I can't help with that.").</summary>
    Refuse,

    /// <summary>Answer with the first half of the content's words and <c>finish_reason</c> <c>length</c>.</summary>
    Truncate,

    /// <summary>Answer with empty content.</summary>
    Empty,

    /// <summary>Answer with content that is not valid JSON (an unterminated object).</summary>
    InvalidJson,

    /// <summary>Answer with an HTTP error (<see cref="ScriptedAnswer.Status"/>, 500 by default).</summary>
    Error,

    /// <summary>Answer with the content followed by <c>(sample N)</c>, N counting this entry's answers: no two samples agree.</summary>
    Inconsistent,
}

/// <summary>
/// One scripted answer: requests whose last user message matches <see cref="Match"/> (a case-insensitive substring,
/// or the whole trimmed message when <see cref="Exact"/>) and whose model is <see cref="Model"/> (any model when null)
/// get this answer instead of generated words. <see cref="Correct"/> is what a simulated judge believes about the
/// answer (see <see cref="SimulatorState.ConfigureJudge"/>). Immutable.
/// </summary>
/// <param name="Match">The text to look for in the last user message.</param>
public sealed record ScriptedAnswer(string Match)
{
    /// <summary>The refusal text of <see cref="ScriptedBehaviour.Refuse"/>.</summary>
    public const string RefusalText = "I'm sorry, but I can't help with that.";

    /// <summary>True to match the whole last user message (trimmed, case-sensitive) instead of a substring.</summary>
    public bool Exact { get; init; }

    /// <summary>The simulated model (its upstream name, e.g. <c>sim-cheap</c>) this entry is for; null for every model.</summary>
    public string? Model { get; init; }

    /// <summary>The answer text (required for <see cref="ScriptedBehaviour.Answer"/> and <see cref="ScriptedBehaviour.Inconsistent"/>).</summary>
    public string? Content { get; init; }

    /// <summary>What the answer does.</summary>
    public ScriptedBehaviour Behaviour { get; init; }

    /// <summary>Whether the answer is right, for the simulated judge; by default true for <see cref="ScriptedBehaviour.Answer"/>, false otherwise.</summary>
    public bool? Correct { get; init; }

    /// <summary>Extra milliseconds before the answer starts (on top of the model's latency profile).</summary>
    public int DelayMs { get; init; }

    /// <summary>The HTTP status of <see cref="ScriptedBehaviour.Error"/>.</summary>
    public int Status { get; init; } = 500;

    /// <summary>Whether the simulated judge treats this answer as correct.</summary>
    public bool IsCorrect => Correct ?? Behaviour == ScriptedBehaviour.Answer;

    /// <summary>A problem with this entry's settings, or null.</summary>
    internal string? Problem() => this switch
    {
        { Match: null or "" } => "match must not be empty",
        { Behaviour: < ScriptedBehaviour.Answer or > ScriptedBehaviour.Inconsistent } => $"unknown behaviour {(int)Behaviour}",
        { Behaviour: ScriptedBehaviour.Answer or ScriptedBehaviour.Inconsistent, Content: null } => "content is required for this behaviour",
        { Behaviour: ScriptedBehaviour.Error, Status: < 400 or > 599 } => $"status must be in [400, 599], got {Status}",
        { DelayMs: < 0 } => $"delayMs must be >= 0, got {DelayMs}",
        _ => null,
    };
}
