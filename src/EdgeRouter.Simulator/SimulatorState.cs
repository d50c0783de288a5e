using System.Text.Json;
using EdgeRouter.Configuration;

namespace EdgeRouter.Simulator;

/// <summary>
/// The simulator's mutable state: scripted faults, counters and recent exchanges per model, and the seeded generator
/// behind random faults and latency jitter. Thread-safe.
/// </summary>
public sealed class SimulatorState
{
    private static readonly SimulatedFault NoFault = new(SimulatedFaultKind.None);

    private readonly Dictionary<string, ModelState> _byName;
    private readonly Random _random;
    private readonly Lock _randomLock = new();

    internal SimulatorState(SimulatorConfig config)
    {
        _random = new Random(config.Seed);
        Script = new AnswerScript(config.Seed);
        Models = [.. config.Models.Select(m => new ModelState(m))];
        _byName = new Dictionary<string, ModelState>(StringComparer.Ordinal);
        foreach (var model in Models)
        {
            _byName.TryAdd(model.Name, model);
        }
    }

    internal IReadOnlyList<ModelState> Models { get; }

    /// <summary>Scripted answers and the simulated judge.</summary>
    internal AnswerScript Script { get; }

    /// <summary>
    /// Scripts answers (see <see cref="ScriptedAnswer"/>): appended after the entries already scripted, or replacing
    /// them when <paramref name="replace"/> is true. Scripted faults still come first.
    /// </summary>
    /// <exception cref="ArgumentException">An entry is invalid or names a model that is not simulated.</exception>
    public void AddScript(IEnumerable<ScriptedAnswer> answers, bool replace = false)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var list = answers.ToList();
        foreach (var answer in list)
        {
            ArgumentNullException.ThrowIfNull(answer, nameof(answers));
            if (answer.Problem() is { } problem)
            {
                throw new ArgumentException($"Scripted answer for '{answer.Match}': {problem}.", nameof(answers));
            }

            if (answer.Model is { } model && !_byName.ContainsKey(model))
            {
                throw new ArgumentException($"'{model}' is not a simulated model.", nameof(answers));
            }
        }

        Script.Add(list, replace);
    }

    /// <summary>Scripts answers, appended after those already scripted.</summary>
    public void AddScript(params ScriptedAnswer[] answers) => AddScript((IEnumerable<ScriptedAnswer>)answers);

    /// <summary>
    /// Sets how the simulated judge scores: it is right with probability <paramref name="accuracy"/> (draws from a
    /// generator seeded with <paramref name="seed"/>, the simulator's seed by default), and answers to questions no
    /// entry matches count as correct when <paramref name="unscriptedCorrect"/>.
    /// </summary>
    public void ConfigureJudge(double accuracy = 1.0, int? seed = null, bool unscriptedCorrect = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(accuracy, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(accuracy, 1.0);
        Script.ConfigureJudge(accuracy, seed, unscriptedCorrect);
    }

    /// <summary>Removes every scripted answer and resets the judge.</summary>
    public void ClearScript() => Script.Clear();

    /// <summary>
    /// Scripts faults for <paramref name="model"/>: its next requests get them in order, before random faults are
    /// considered. <see cref="SimulatedFaultKind.None"/> lets a request through untouched.
    /// </summary>
    /// <exception cref="ArgumentException">The model is not simulated, or a fault has an out-of-range setting.</exception>
    public void EnqueueFaults(string model, params SimulatedFault[] faults)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(faults);
        if (!_byName.TryGetValue(model, out var state))
        {
            throw new ArgumentException($"'{model}' is not a simulated model.", nameof(model));
        }

        foreach (var fault in faults)
        {
            ArgumentNullException.ThrowIfNull(fault, nameof(faults));
            if (Describe(fault) is { } problem)
            {
                throw new ArgumentException(problem, nameof(faults));
            }
        }

        foreach (var fault in faults)
        {
            state.Enqueue(fault);
        }
    }

    /// <summary>A snapshot of <paramref name="model"/>'s counters (all zero for a model that is not simulated).</summary>
    public SimulatedModelStats Stats(string model) =>
        _byName.TryGetValue(model, out var state) ? state.Snapshot() : new SimulatedModelStats(0, 0, 0, 0, 0, 0);

    /// <summary>The last 64 exchanges with <paramref name="model"/>, oldest first.</summary>
    public IReadOnlyList<RecordedExchange> Recent(string model) =>
        _byName.TryGetValue(model, out var state) ? state.Recent() : [];

    /// <summary>Clears scripted faults and answers, the judge, counters and recorded exchanges of every model.</summary>
    public void Reset()
    {
        Script.Clear();
        foreach (var model in Models)
        {
            model.Reset();
        }
    }

    internal ModelState? Find(string name) => _byName.GetValueOrDefault(name);

    internal ModelState? Find(ref Utf8JsonReader reader)
    {
        // Compares the raw JSON string with each name: no string is allocated for a known model.
        foreach (var model in Models)
        {
            if (reader.ValueTextEquals(model.NameUtf8))
            {
                return model;
            }
        }

        return null;
    }

    /// <summary>A problem with <paramref name="fault"/>'s settings, or null.</summary>
    internal static string? Describe(SimulatedFault fault) => fault switch
    {
        { Kind: < SimulatedFaultKind.None or > SimulatedFaultKind.Drop } => $"unknown fault kind {(int)fault.Kind}",
        { Kind: SimulatedFaultKind.Error, Status: < 400 or > 599 } => $"status must be in [400, 599], got {fault.Status}",
        { RetryAfterSeconds: < 0 } => $"retryAfterSeconds must be >= 0, got {fault.RetryAfterSeconds}",
        { StallMs: < 0 } => $"stallMs must be >= 0, got {fault.StallMs}",
        { AfterTokens: < 0 } => $"afterTokens must be >= 0, got {fault.AfterTokens}",
        _ => null,
    };

    /// <summary>
    /// Picks the fault for the next request to <paramref name="model"/> (scripted first, then random) and draws its
    /// latency jitter. Never returns null; <see cref="SimulatedFaultKind.None"/> means answer normally.
    /// </summary>
    internal SimulatedFault NextFault(ModelState model, out double jitterMs)
    {
        var config = model.Config;
        jitterMs = 0;
        var scripted = model.TryDequeue(out var fault);
        if (!scripted && !model.HasRandomFaults && config.JitterMs <= 0)
        {
            // Fast path for benchmark profiles: the shared lock is never taken.
            return NoFault;
        }

        double roll = 1;
        lock (_randomLock)
        {
            if (!scripted && model.HasRandomFaults)
            {
                roll = _random.NextDouble();
            }

            if (config.JitterMs > 0)
            {
                jitterMs = _random.NextDouble() * config.JitterMs;
            }
        }

        if (scripted)
        {
            return fault!;
        }

        var faults = config.Faults;
        if ((roll -= faults.ErrorRate) < 0)
        {
            return new SimulatedFault(SimulatedFaultKind.Error);
        }

        if ((roll -= faults.RateLimitRate) < 0)
        {
            return new SimulatedFault(SimulatedFaultKind.RateLimit, RetryAfterSeconds: faults.RetryAfterSeconds);
        }

        if ((roll -= faults.StallRate) < 0)
        {
            return new SimulatedFault(SimulatedFaultKind.Stall, StallMs: faults.StallMs);
        }

        return roll - faults.DropRate < 0 ? new SimulatedFault(SimulatedFaultKind.Drop, AfterTokens: faults.DropAfterTokens) : NoFault;
    }
}
