using System.Buffers;
using System.Text.Json;

namespace EdgeRouter.Protocol;

/// <summary>
/// Writes the body sent upstream: the client's bytes with <c>model</c> replaced by the upstream model name and,
/// for streams where the client did not ask for usage, <c>stream_options.include_usage</c> switched on so the
/// gateway can count tokens. Everything else is copied byte for byte.
/// </summary>
public static class UpstreamRequestWriter
{
    private static readonly ReadOnlyMemory<byte> StreamOptionsMember = ",\"stream_options\":{\"include_usage\":true}"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> StreamOptionsObject = "{\"include_usage\":true}"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> IncludeUsageFirstMember = "\"include_usage\":true,"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> True = "true"u8.ToArray();

    /// <summary>
    /// True when the request is a stream that did not ask for usage, so the gateway may add <c>include_usage</c>
    /// (and must then strip the usage chunk from what the client sees).
    /// </summary>
    public static bool AddsUsage(ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Stream && !request.IncludeUsage;
    }

    /// <summary>Writes the upstream body for <paramref name="request"/>.</summary>
    /// <param name="request">The client's request.</param>
    /// <param name="upstreamModelJson">The upstream model name as a JSON string, quotes included.</param>
    /// <param name="addUsage">Add <c>include_usage</c> when <see cref="AddsUsage"/> says the request lacks it.</param>
    /// <param name="output">Receives the body.</param>
    public static void Write(ChatRequest request, ReadOnlyMemory<byte> upstreamModelJson, bool addUsage, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(request);
        var buffer = default(TwoEdits);
        Span<JsonEdit> edits = buffer;
        var count = 0;
        edits[count++] = new JsonEdit(request.ModelValue.Start, request.ModelValue.Length, upstreamModelJson);
        if (addUsage && AddsUsage(request))
        {
            edits[count++] = UsageEdit(request);
            if (edits[1].Start < edits[0].Start)
            {
                (edits[0], edits[1]) = (edits[1], edits[0]);
            }
        }

        JsonEdit.Apply(request.Body.Span, edits[..count], output);
    }

    /// <summary>Encodes <paramref name="value"/> as a JSON string literal in UTF-8.</summary>
    public static byte[] EncodeJsonString(string value)
    {
        var buffer = new ArrayBufferWriter<byte>(value.Length + 8);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(value);
        }

        return buffer.WrittenSpan.ToArray();
    }

    [System.Runtime.CompilerServices.InlineArray(2)]
    private struct TwoEdits
    {
        private JsonEdit _first;
    }

    private static JsonEdit UsageEdit(ChatRequest request)
    {
        var options = request.StreamOptionsValue;
        if (!options.IsPresent)
        {
            return new JsonEdit(request.ObjectEnd, 0, StreamOptionsMember);
        }

        if (request.IncludeUsageValue.IsPresent)
        {
            // include_usage is false or null.
            return new JsonEdit(request.IncludeUsageValue.Start, request.IncludeUsageValue.Length, True);
        }

        // stream_options is null or {} (replace it), or an object without include_usage (prepend the member).
        return request.StreamOptionsPropertyCount == 0
            ? new JsonEdit(options.Start, options.Length, StreamOptionsObject)
            : new JsonEdit(options.Start + 1, 0, IncludeUsageFirstMember);
    }
}
