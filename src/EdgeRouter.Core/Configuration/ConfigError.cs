namespace EdgeRouter.Configuration;

/// <summary>One configuration problem: where it is (a JSON path such as <c>routes.auto.stages[1].weight</c>) and what is wrong.</summary>
/// <param name="Path">Location in the config document; empty for the document itself.</param>
/// <param name="Message">What is wrong, phrased to follow the path (<c>must be &gt; 0, got -1</c>).</param>
public sealed record ConfigError(string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Path.Length == 0 ? Message : $"{Path} {Message}";
}

/// <summary>Collects every configuration problem instead of stopping at the first.</summary>
public sealed class ConfigErrors
{
    private readonly List<ConfigError> _errors = [];

    /// <summary>The problems found so far, in the order found.</summary>
    public IReadOnlyList<ConfigError> Items => _errors;

    /// <summary>True when nothing has been reported.</summary>
    public bool IsEmpty => _errors.Count == 0;

    /// <summary>Number of problems reported.</summary>
    public int Count => _errors.Count;

    /// <summary>Reports a problem at <paramref name="path"/>.</summary>
    public void Add(string path, string message) => _errors.Add(new ConfigError(path, message));

    /// <summary>Reports a problem unless <paramref name="condition"/> holds. Returns <paramref name="condition"/>.</summary>
    public bool Require(bool condition, string path, string message)
    {
        if (!condition)
        {
            Add(path, message);
        }

        return condition;
    }
}
