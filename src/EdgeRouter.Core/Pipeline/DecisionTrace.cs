using System.Text;

namespace EdgeRouter.Pipeline;

/// <summary>One stage's contribution to a decision.</summary>
/// <param name="Stage">The stage kind.</param>
/// <param name="Detail">What it did, e.g. <c>drew sim/cheap (weight 3 of 4)</c>.</param>
public readonly record struct TraceEntry(string Stage, string Detail);

/// <summary>The ordered record of what each stage did for one request.</summary>
public sealed class DecisionTrace
{
    private readonly List<TraceEntry> _entries = new(4);

    /// <summary>Entries in the order stages ran.</summary>
    public IReadOnlyList<TraceEntry> Entries => _entries;

    /// <summary>Adds an entry.</summary>
    public void Add(string stage, string detail) => _entries.Add(new TraceEntry(stage, detail));

    /// <summary>Renders the trace as <c>stage: detail; stage: detail</c>.</summary>
    public override string ToString()
    {
        if (_entries.Count == 0)
        {
            return "";
        }

        var text = new StringBuilder();
        foreach (var entry in _entries)
        {
            if (text.Length > 0)
            {
                text.Append("; ");
            }

            text.Append(entry.Stage).Append(": ").Append(entry.Detail);
        }

        return text.ToString();
    }
}
