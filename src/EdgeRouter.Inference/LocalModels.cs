using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using EdgeRouter.Configuration;
using EdgeRouter.Inference.Models;
using EdgeRouter.Inference.OnnxRuntime;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Inference;

/// <summary>A local model that could not be loaded: which one (its config path) and why.</summary>
public sealed class LocalModelException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LocalModelException(string path, string message, Exception? inner = null)
        : base($"{path}: {message}", inner)
    {
        Path = path;
        Reason = message;
    }

    /// <summary>Creates the exception with no detail.</summary>
    public LocalModelException()
        : this("inference", "a local model could not be loaded")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public LocalModelException(string message)
        : this("inference", message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public LocalModelException(string message, Exception innerException)
        : this("inference", message, innerException)
    {
    }

    /// <summary>The config path of the model, e.g. <c>inference.encoders.default</c>.</summary>
    public string Path { get; }

    /// <summary>Why it failed.</summary>
    public string Reason { get; }
}

/// <summary>
/// The encoders and classifier heads a configuration names, loaded at startup on one ONNX Runtime. Immutable after
/// loading; thread-safe.
/// </summary>
public sealed class LocalModels : ILocalModels, IDisposable
{
    private readonly FrozenDictionary<string, SentenceEncoder> _encoders;
    private readonly FrozenDictionary<string, Classifier> _classifiers;

    private LocalModels(OnnxRuntimeLibrary runtime, FrozenDictionary<string, SentenceEncoder> encoders, FrozenDictionary<string, Classifier> classifiers)
    {
        Runtime = runtime;
        _encoders = encoders;
        _classifiers = classifiers;
    }

    /// <summary>The ONNX Runtime the models run on.</summary>
    public OnnxRuntimeLibrary Runtime { get; }

    /// <inheritdoc />
    public IReadOnlyCollection<string> EncoderNames => _encoders.Keys;

    /// <inheritdoc />
    public IReadOnlyCollection<string> ClassifierNames => _classifiers.Keys;

    /// <summary>Every loaded encoder.</summary>
    public IEnumerable<SentenceEncoder> Encoders => _encoders.Values;

    /// <summary>
    /// Loads ONNX Runtime and every configured model; relative model paths start at <paramref name="baseDirectory"/>.
    /// Everything loaded so far is released if one model fails.
    /// </summary>
    /// <exception cref="LocalModelException">A model or the runtime could not be loaded; the message names it and says why.</exception>
    public static LocalModels Load(InferenceConfig config, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(config);
        OnnxRuntimeLibrary runtime;
        try
        {
            runtime = OnnxRuntimeLibrary.Load(config.OnnxRuntimePath);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new LocalModelException("inference.onnxRuntimePath", ex.Message, ex);
        }

        var settings = new SessionSettings
        {
            IntraOpThreads = config.IntraOpThreads,
            GraphOptimization = config.GraphOptimization,
            MemoryArena = config.MemoryArena,
        };
        var encoders = new Dictionary<string, SentenceEncoder>(StringComparer.Ordinal);
        var classifiers = new Dictionary<string, Classifier>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, encoder) in config.Encoders)
            {
                encoders[name] = Guard($"inference.encoders.{name}", () =>
                    SentenceEncoder.Load(name, runtime, Resolve(baseDirectory, encoder.Path), settings, encoder.PreferInt8));
            }

            foreach (var (name, head) in config.Classifiers)
            {
                var encoder = encoders[head.Encoder];
                classifiers[name] = Guard($"inference.classifiers.{name}", () =>
                    Classifier.Load(name, runtime, Resolve(baseDirectory, head.Path), settings, encoder.Dimensions, head.Encoder));
            }
        }
        catch
        {
            foreach (var model in encoders.Values)
            {
                model.Dispose();
            }

            foreach (var model in classifiers.Values)
            {
                model.Dispose();
            }

            throw;
        }

        return new LocalModels(runtime, encoders.ToFrozenDictionary(StringComparer.Ordinal), classifiers.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>
    /// The configured model folders (and ONNX Runtime file, when set) that do not exist: a check cheap enough to run
    /// before serving when the models themselves load in the background.
    /// </summary>
    public static IReadOnlyList<ConfigError> Missing(InferenceConfig config, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(config);
        var missing = new List<ConfigError>();
        if (config.OnnxRuntimePath is { Length: > 0 } runtimePath && !File.Exists(Resolve(baseDirectory, runtimePath)))
        {
            missing.Add(new("inference.onnxRuntimePath", $"names a file that does not exist: {Resolve(baseDirectory, runtimePath)}"));
        }

        var folders = config.Encoders.Select(e => ($"inference.encoders.{e.Key}", e.Value.Path))
            .Concat(config.Classifiers.Select(c => ($"inference.classifiers.{c.Key}", c.Value.Path)));
        foreach (var (at, path) in folders)
        {
            if (!Directory.Exists(Resolve(baseDirectory, path)))
            {
                missing.Add(new(at, $"could not be loaded: directory {Resolve(baseDirectory, path)} not found"));
            }
        }

        return missing;
    }

    /// <inheritdoc />
    public bool TryGetEncoder(string name, [NotNullWhen(true)] out ITextEncoder? encoder)
    {
        var found = _encoders.TryGetValue(name, out var model);
        encoder = model;
        return found;
    }

    /// <inheritdoc />
    public bool TryGetClassifier(string name, [NotNullWhen(true)] out ITextClassifier? classifier)
    {
        var found = _classifiers.TryGetValue(name, out var model);
        classifier = model;
        return found;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var model in _classifiers.Values)
        {
            model.Dispose();
        }

        foreach (var model in _encoders.Values)
        {
            model.Dispose();
        }
    }

    private static string Resolve(string baseDirectory, string path) =>
        System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.GetFullPath(System.IO.Path.Combine(baseDirectory, path));

    private static T Guard<T>(string path, Func<T> load)
    {
        try
        {
            return load();
        }
#pragma warning disable CA1031 // any failure to load a model is reported the same way: which model, and why
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            throw new LocalModelException(path, ex.Message, ex);
        }
    }
}
