using System.Text.Json;
using EdgeRouter.Configuration;
using EdgeRouter.Dispatch.Forwarding;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Dispatch.Strategies;

/// <summary>
/// The outcome of one buffered upstream call made by <see cref="UpstreamCompleter"/>: how it ended, the
/// <c>chat.completion</c> (with <c>model</c> rewritten to the concrete id), what the answer says, and what it cost.
/// Immutable; safe to share between the tasks of a race.
/// </summary>
public sealed class Completion
{
    /// <summary>How the call ended: <see cref="UpstreamOutcome.Success"/> with an answer, <see cref="UpstreamOutcome.ClientError"/>
    /// with the upstream's error body, <see cref="UpstreamOutcome.Canceled"/>, or the last failure after retries.</summary>
    public required UpstreamOutcome Outcome { get; init; }

    /// <summary>The upstream's HTTP status (0 when no response arrived, 499 when cancelled).</summary>
    public int StatusCode { get; init; }

    /// <summary>The model called.</summary>
    public required ModelTarget Model { get; init; }

    /// <summary>The <c>chat.completion</c> with <c>model</c> set to <see cref="ModelTarget.Id"/> (success), or the upstream's error body (client error).</summary>
    public ReadOnlyMemory<byte> Json { get; init; }

    /// <summary>The first choice's <c>message.content</c>, or null.</summary>
    public string? Content { get; init; }

    /// <summary>The first choice's <c>message.refusal</c>, or null.</summary>
    public string? Refusal { get; init; }

    /// <summary>The first choice's <c>finish_reason</c>, or null.</summary>
    public string? FinishReason { get; init; }

    /// <summary>True when the first choice calls tools (an empty content is then expected).</summary>
    public bool HasToolCalls { get; init; }

    /// <summary>Token usage: as reported, else estimated (see <see cref="UsageEstimated"/>).</summary>
    public TokenUsage Usage { get; init; }

    /// <summary>True when <see cref="Usage"/> is the gateway's estimate (see <see cref="EdgeRouter.Protocol.PromptTokenEstimate"/>), not the upstream's report.</summary>
    public bool UsageEstimated { get; init; }

    /// <summary>USD cost at the model's prices; for a cancelled call, the cost so far (its estimated prompt).</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Milliseconds from the call's start to its end, retries included.</summary>
    public double LatencyMs { get; init; }

    /// <summary>Milliseconds from sending the answering attempt to its first byte (0 when none arrived).</summary>
    public double FirstByteMs { get; init; }

    /// <summary>Upstream attempts made.</summary>
    public int Attempts { get; init; }

    /// <summary>Why the call failed, for logs and error messages.</summary>
    public string? Detail { get; init; }

    /// <summary>How long the upstream asked to wait, when it was rate limited.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>True when the call produced an answer.</summary>
    public bool Succeeded => Outcome == UpstreamOutcome.Success;

    /// <summary>The text a verifier judges: the content, else the refusal, else empty.</summary>
    public string Text => Content ?? Refusal ?? "";

    /// <summary>Reads the first choice of a completion; false when <paramref name="json"/> is not one.</summary>
    internal static bool TryReadAnswer(ReadOnlyMemory<byte> json, out string? content, out string? refusal, out string? finishReason, out bool hasToolCalls)
    {
        content = refusal = finishReason = null;
        hasToolCalls = false;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("choices", out var choices)
                || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
            {
                return false;
            }

            var choice = choices[0];
            if (choice.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
            {
                finishReason = finish.GetString();
            }

            if (choice.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object)
            {
                content = StringOf(message, "content");
                refusal = StringOf(message, "refusal");
                hasToolCalls = message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array && calls.GetArrayLength() > 0;
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
