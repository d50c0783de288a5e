using EdgeRouter.Configuration;

namespace EdgeRouter.Hosting;

/// <summary>The configuration could not be used; <see cref="Errors"/> lists every problem.</summary>
public sealed class ConfigurationException : Exception
{
    /// <summary>Creates the exception for <paramref name="errors"/> found in <paramref name="source"/>.</summary>
    public ConfigurationException(string source, IReadOnlyList<ConfigError> errors)
        : base($"Invalid configuration in {source}:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors))
    {
        Source = source;
        Errors = errors;
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }
}
