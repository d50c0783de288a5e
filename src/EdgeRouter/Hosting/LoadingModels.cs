using System.Diagnostics.CodeAnalysis;
using EdgeRouter.Configuration;
using EdgeRouter.Inference;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Hosting;

/// <summary>
/// The configured in-process models as the gateway sees them while they load in the background: a configured name
/// throws <see cref="ModelWarmingException"/> until <see cref="Complete"/> hands over the loaded models, then every
/// call goes to them. Lets the gateway serve (routes skip the stages that need a model) from its first milliseconds.
/// Thread-safe.
/// </summary>
internal sealed class LoadingModels : ILocalModels, IDisposable
{
    private readonly string[] _encoders;
    private readonly string[] _classifiers;
    private LocalModels? _loaded;

    public LoadingModels(InferenceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _encoders = [.. config.Encoders.Keys];
        _classifiers = [.. config.Classifiers.Keys];
    }

    /// <summary>The loaded models, once <see cref="Complete"/> ran.</summary>
    public LocalModels? Loaded => Volatile.Read(ref _loaded);

    /// <inheritdoc />
    public IReadOnlyCollection<string> EncoderNames => _encoders;

    /// <inheritdoc />
    public IReadOnlyCollection<string> ClassifierNames => _classifiers;

    /// <summary>From now on, answers from <paramref name="models"/> (which this instance then owns).</summary>
    public void Complete(LocalModels models)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (Interlocked.CompareExchange(ref _loaded, models, null) is not null)
        {
            throw new InvalidOperationException("The models were already loaded.");
        }
    }

    /// <inheritdoc />
    /// <exception cref="ModelWarmingException"><paramref name="name"/> is configured and still loading.</exception>
    public bool TryGetEncoder(string name, [NotNullWhen(true)] out ITextEncoder? encoder)
    {
        if (Loaded is { } loaded)
        {
            return loaded.TryGetEncoder(name, out encoder);
        }

        encoder = null;
        return Array.IndexOf(_encoders, name) >= 0 ? throw new ModelWarmingException(name) : false;
    }

    /// <inheritdoc />
    /// <exception cref="ModelWarmingException"><paramref name="name"/> is configured and still loading.</exception>
    public bool TryGetClassifier(string name, [NotNullWhen(true)] out ITextClassifier? classifier)
    {
        if (Loaded is { } loaded)
        {
            return loaded.TryGetClassifier(name, out classifier);
        }

        classifier = null;
        return Array.IndexOf(_classifiers, name) >= 0 ? throw new ModelWarmingException(name) : false;
    }

    public void Dispose() => Loaded?.Dispose();
}
