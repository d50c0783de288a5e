using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeRouter.Routing.Evaluation;

/// <summary>
/// One model's predicted quality given the router's probability: P(correct | p) = σ(<see cref="Intercept"/> +
/// <see cref="Slope"/> · p), with p = P(needs_strong).
/// </summary>
/// <param name="Model">The model this is for.</param>
/// <param name="Intercept">Logit at p = 0.</param>
/// <param name="Slope">Change of the logit per unit of p.</param>
/// <param name="Accuracy">The model's accuracy over the fitting rows, for reference.</param>
public sealed record ModelQualityCalibration(string Model, double Intercept, double Slope, double Accuracy)
{
    /// <summary>P(correct) at router probability <paramref name="p"/>.</summary>
    public double Predict(double p) => DenseMath.Sigmoid(Intercept + Slope * p);

    /// <summary>
    /// Fits the two parameters by maximum likelihood (Newton's method; a 1e-9 ridge keeps it finite on separable data).
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, no rows, or a non-finite feature.</exception>
    public static ModelQualityCalibration Fit(string model, ReadOnlySpan<double> p, ReadOnlySpan<bool> correct)
    {
        if (p.Length != correct.Length || p.IsEmpty)
        {
            throw new ArgumentException($"{p.Length} probabilities and {correct.Length} labels; both must be the same, non-zero count.", nameof(correct));
        }

        foreach (var x in p)
        {
            if (!double.IsFinite(x))
            {
                throw new ArgumentException("Every probability must be finite.", nameof(p));
            }
        }

        double a = 0, b = 0;
        for (var iteration = 0; iteration < 100; iteration++)
        {
            double g0 = 0, g1 = 0, h00 = 1e-9, h01 = 0, h11 = 1e-9;
            for (var i = 0; i < p.Length; i++)
            {
                var s = DenseMath.Sigmoid(a + b * p[i]);
                var r = s - (correct[i] ? 1 : 0);
                var w = s * (1 - s);
                g0 += r;
                g1 += r * p[i];
                h00 += w;
                h01 += w * p[i];
                h11 += w * p[i] * p[i];
            }

            g0 += 1e-9 * a;
            g1 += 1e-9 * b;
            var det = h00 * h11 - h01 * h01;
            var da = (h11 * g0 - h01 * g1) / det;
            var db = (h00 * g1 - h01 * g0) / det;
            a -= da;
            b -= db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-12)
            {
                break;
            }
        }

        var accuracy = 0.0;
        foreach (var c in correct)
        {
            accuracy += c ? 1 : 0;
        }

        return new ModelQualityCalibration(model, a, b, accuracy / correct.Length);
    }
}

/// <summary>
/// Per-model quality calibration for a cost-aware router: how likely each model is to answer correctly, as a
/// function of the learned router's P(needs_strong). Serialised by <see cref="ToJson"/>.
/// </summary>
public sealed record QualityCalibration
{
    /// <summary>The single feature: the router head's probability of <c>needs_strong</c>.</summary>
    public string Feature { get; init; } = "p_needs_strong";

    /// <summary>The rows it was fitted on, e.g. <c>router/mmlu.jsonl split train</c>.</summary>
    public required string Source { get; init; }

    /// <summary>Number of rows it was fitted on.</summary>
    public required int Rows { get; init; }

    /// <summary>The strong model's calibration.</summary>
    public required ModelQualityCalibration Strong { get; init; }

    /// <summary>The weak model's calibration.</summary>
    public required ModelQualityCalibration Weak { get; init; }

    /// <summary>Indented JSON (camelCase), source-generated.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, CalibrationJsonContext.Default.QualityCalibration);

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    /// <exception cref="JsonException">The text is not a calibration.</exception>
    public static QualityCalibration FromJson(string json) =>
        JsonSerializer.Deserialize(json, CalibrationJsonContext.Default.QualityCalibration) ?? throw new JsonException("The calibration is null.");
}

/// <summary>Source-generated JSON for <see cref="QualityCalibration"/> (AOT-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(QualityCalibration))]
internal sealed partial class CalibrationJsonContext : JsonSerializerContext;
