using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeRouter.Routing.Evaluation;

/// <summary>
/// Out-of-fold head probabilities for the training rows (<c>models/training/router-head-oof.json</c>, written by the
/// training pipeline): each MMLU train row scored by the router head's configuration trained on the other folds. A
/// head overfits the rows it was trained on, so fitting a combiner, a threshold or a quality calibration on its
/// in-sample probabilities would trust it far more than new traffic warrants; these stand in for them. Immutable.
/// </summary>
public sealed class HeadOutOfFold
{
    private HeadOutOfFold(string path, HeadOutOfFoldFile file)
    {
        Path = path;
        Label = file.Label;
        Folds = file.Folds;
        Probabilities = file.PNeedsStrong;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The head's training label (e.g. <c>net_gain</c>).</summary>
    public string Label { get; }

    /// <summary>Cross-validation folds.</summary>
    public int Folds { get; }

    /// <summary>P(needs_strong) per training row, in the training set's order.</summary>
    public IReadOnlyList<double> Probabilities { get; }

    /// <summary>Reads the file and checks that it covers exactly <paramref name="train"/>'s rows, in order.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not such a file, or written for other rows (count or ids differ).</exception>
    public static HeadOutOfFold Load(string path, RouterTrainingSet train)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(train);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist.", path);
        }

        HeadOutOfFoldFile file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllBytes(path), HeadOutOfFoldJsonContext.Default.HeadOutOfFoldFile)
                ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }

        if (file.PNeedsStrong.Length != train.Ids.Count || file.Rows != train.Ids.Count)
        {
            throw new InvalidDataException($"{path} has {file.PNeedsStrong.Length} probabilities for {file.Rows} rows; the training set has {train.Ids.Count}.");
        }

        if (!string.Equals(file.IdsSha256, IdsSha256(train.Ids), StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{path} was written for other training rows (the SHA-256 of their ids differs); run models/training/train.sh --router-head-only again.");
        }

        if (file.PNeedsStrong.Any(p => !(p is >= 0 and <= 1)))
        {
            throw new InvalidDataException($"{path}: every probability must be in [0, 1].");
        }

        return new HeadOutOfFold(path, file);
    }

    /// <summary>SHA-256 (lower-case hex) of the ids joined by newlines, UTF-8: how the file names its rows.</summary>
    public static string IdsSha256(IEnumerable<string> ids) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', ids))));
}

/// <summary>The file's fields.</summary>
internal sealed record HeadOutOfFoldFile
{
    public string Description { get; init; } = "";

    public required string Label { get; init; }

    public required int Rows { get; init; }

    public required int Folds { get; init; }

    public string Encoder { get; init; } = "";

    public required string IdsSha256 { get; init; }

    public required double[] PNeedsStrong { get; init; }
}

/// <summary>Source-generated JSON for <see cref="HeadOutOfFoldFile"/> (AOT-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(HeadOutOfFoldFile))]
internal sealed partial class HeadOutOfFoldJsonContext : JsonSerializerContext;
