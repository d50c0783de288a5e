using EdgeRouter.Configuration;
using EdgeRouter.Inference;
using EdgeRouter.Routing.Evaluation;

namespace EdgeRouter.Cli;

/// <summary>
/// The shipped learned router as the gateway loads it: <see cref="LocalModels"/> built from an inference config with
/// the encoder (int8 graph preferred, as the embedded default) as <c>default</c> and the router head as
/// <c>router</c>, scored through <see cref="ClassifierScorer"/>. Shared by <c>eval</c> and <c>calibrate</c>.
/// </summary>
internal sealed class LearnedRouterModels : IDisposable
{
    public const string EncoderFolder = "edgerouter-encoder";
    public const string HeadFolder = "router-head";

    private readonly LocalModels _models;

    private LearnedRouterModels(LocalModels models, ClassifierScorer scorer, string directory)
    {
        _models = models;
        Scorer = scorer;
        Directory = directory;
    }

    public ClassifierScorer Scorer { get; }

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
        try
        {
            if (!models.TryGetEncoder("default", out var encoder) || !models.TryGetClassifier("router", out var head))
            {
                throw new LocalModelException("inference", "the encoder or the router head did not load");
            }

            var scorer = new ClassifierScorer(
                "learned",
                $"shipped encoder ({EncoderFolder}, int8) + router head ({HeadFolder}), the gateway's LocalModels; score = P(needs_strong)",
                encoder,
                head);
            return new LearnedRouterModels(models, scorer, directory);
        }
        catch (ArgumentException ex)
        {
            models.Dispose();
            throw new LocalModelException("inference.classifiers.router", ex.Message, ex);
        }
        catch
        {
            models.Dispose();
            throw;
        }
    }

    public void Dispose() => _models.Dispose();
}
