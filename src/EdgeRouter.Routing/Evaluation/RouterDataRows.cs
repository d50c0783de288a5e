using System.Text.Json.Serialization;

namespace EdgeRouter.Routing.Evaluation;

/// <summary>A row of <c>router/mmlu.jsonl</c>.</summary>
internal sealed record MmluRow
{
    public required string Id { get; init; }

    public required string Split { get; init; }

    public required string Subject { get; init; }

    public required string Prompt { get; init; }

    public required bool StrongCorrect { get; init; }

    public required bool WeakCorrect { get; init; }

    public required bool Contaminated { get; init; }
}

/// <summary>A row of <c>router/gsm8k.jsonl</c>.</summary>
internal sealed record Gsm8kRow
{
    public required string Prompt { get; init; }

    public required bool StrongCorrect { get; init; }

    public required bool WeakCorrect { get; init; }

    public required bool Contaminated { get; init; }
}

/// <summary>A row of <c>router/mtbench.jsonl</c>: the two turns and each model's mean judge score over them.</summary>
internal sealed record MtBenchRow
{
    public required IReadOnlyList<string> Turns { get; init; }

    public string? Category { get; init; }

    public required double StrongScore { get; init; }

    public required double WeakScore { get; init; }

    public required bool Contaminated { get; init; }
}

/// <summary>A row of a traffic sample: any JSON Lines file with a <c>prompt</c> field (other fields are ignored).</summary>
internal sealed record PromptRow
{
    public required string Prompt { get; init; }

    public string? Split { get; init; }
}

/// <summary>Source-generated JSON for the router data files and the calibration output (AOT-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(MmluRow))]
[JsonSerializable(typeof(Gsm8kRow))]
[JsonSerializable(typeof(MtBenchRow))]
[JsonSerializable(typeof(PromptRow))]
internal sealed partial class RouterDataJsonContext : JsonSerializerContext;
