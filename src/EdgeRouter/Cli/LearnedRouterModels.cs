using EdgeRouter.Configuration;
using EdgeRouter.Inference;
using EdgeRouter.Pipeline;
using EdgeRouter.Routing.Evaluation;
using EdgeRouter.Routing.Learned;

namespace EdgeRouter.Cli;

/// <summary>
/// The shipped learned router as the gateway loads it: <see cref="LocalModels"/> built from an inference config with
/// the encoder (int8 graph preferred, as the embedded default) as <c>default</c> and the router head as
/// <c>router</c>; routers are built from <c>learned</c> stage settings with <see cref="LearnedRouter.Create"/> and
/// scored through <see cref="LearnedRouter.Score"/>, the gateway's code path. Shared by <c>eval</c> and <c>calibrate</c>.
/// </summary>
internal sealed class LearnedRouterModels : IDisposable
{
    public const string EncoderFolder = "edgerouter-encoder";
    public const string HeadFolder = "router-head";

    /// <summary>Where <c>eval</c> and <c>calibrate</c> look for the learned router's settings when not told (from the repository root).</summary>
    public static readonly string DefaultSettingsPath = Path.Combine("bench", "router-eval", "learned.json");

    private readonly LocalModels _models;

    private LearnedRouterModels(LocalModels models, ITextEncoder encoder, ITextClassifier head, string directory)
    {
        _models = models;
        Encoder = encoder;
        Head = head;
        Directory = directory;
    }

    public ITextEncoder Encoder { get; }

    public ITextClassifier Head { get; }

    public string Directory { get; }

    /// <summary>
    /// The models folder: <paramref name="option"/> when given; else <c>models/</c> under the current directory when it
    /// holds the encoder (a repository checkout), else <c>models/</c> next to the binary (where the build puts them).
    /// </summary>
    public static string ResolveDirectory(string? option)
    {
        if (option is not null)
        {
            return Path.GetFullPath(option);
        }

        var local = Path.GetFullPath("models");
        return System.IO.Directory.Exists(Path.Combine(local, EncoderFolder)) ? local : Path.Combine(AppContext.BaseDirectory, "models");
    }

    /// <summary>Null when <paramref name="directory"/> holds both models, else what is missing.</summary>
    public static string? Missing(string directory)
    {
        var missing = new[] { EncoderFolder, HeadFolder }.Where(f => !System.IO.Directory.Exists(Path.Combine(directory, f))).ToList();
        return missing.Count == 0 ? null : $"{directory} has no {string.Join(" or ", missing)} folder";
    }

    /// <summary>
    /// The learned router's settings: the stage object in <paramref name="option"/> when given; else
    /// <see cref="DefaultSettingsPath"/> when it exists; else the defaults (the head alone, τ = 0.5).
    /// </summary>
    /// <exception cref="FileNotFoundException"><paramref name="option"/> names no file.</exception>
    /// <exception cref="InvalidDataException">The file is not valid learned-router settings.</exception>
    public static LearnedRouterSettings LoadSettings(string? option, out string source)
    {
        var path = option ?? (File.Exists(DefaultSettingsPath) ? DefaultSettingsPath : null);
        if (path is null)
        {
            source = "defaults (no settings file)";
            return new LearnedRouterSettings();
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{Path.GetFullPath(path)} does not exist.", path);
        }

        source = path;
        return LearnedRouterSettingsFile.Parse(File.ReadAllText(path), path);
    }

    /// <summary>Loads ONNX Runtime, the encoder and the head.</summary>
    /// <exception cref="LocalModelException">A model or the runtime could not be loaded; the message says which and why.</exception>
    public static LearnedRouterModels Load(string directory, string? onnxRuntimePath)
    {
        var config = new InferenceConfig
        {
            OnnxRuntimePath = onnxRuntimePath,
            Encoders = new Dictionary<string, EncoderConfig> { ["default"] = new() { Path = EncoderFolder, PreferInt8 = true } },
            Classifiers = new Dictionary<string, ClassifierConfig> { ["router"] = new() { Path = HeadFolder, Encoder = "default" } },
        };
        var models = LocalModels.Load(config, directory);
        if (!models.TryGetEncoder("default", out var encoder) || !models.TryGetClassifier("router", out var head))
        {
            models.Dispose();
            throw new LocalModelException("inference", "the encoder or the router head did not load");
        }

        return new LearnedRouterModels(models, encoder, head, directory);
    }

    /// <summary>The router of <paramref name="settings"/> over the loaded head, as a scorer for evaluation and calibration.</summary>
    /// <exception cref="LocalModelException">The head lacks the settings' label.</exception>
    public LearnedRouterScorer Scorer(string name, LearnedRouterSettings settings, string description)
    {
        try
        {
            return new LearnedRouterScorer(LearnedRouter.Create(name, settings, Head, Encoder), name, description);
        }
        catch (InvalidOperationException ex)
        {
            throw new LocalModelException("inference.classifiers.router", ex.Message, ex);
        }
    }

    public void Dispose() => _models.Dispose();
}
