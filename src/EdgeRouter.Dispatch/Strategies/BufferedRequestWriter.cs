using System.Buffers;
using System.Text.Json;
using EdgeRouter.Protocol;

namespace EdgeRouter.Dispatch.Strategies;

/// <summary>
/// Writes the body of a buffered (non-streaming) upstream call for a client's request: the client's members byte
/// for byte, with <c>model</c> replaced by the upstream name and <c>stream</c> and <c>stream_options</c> dropped, so
/// the upstream answers with one <c>chat.completion</c> even when the client asked for a stream (strategies must
/// see the whole answer before the client does; <c>stream_options</c> is rejected by OpenAI without a stream).
/// </summary>
public static class BufferedRequestWriter
{
    /// <summary>Writes the upstream body for <paramref name="request"/> to <paramref name="output"/>.</summary>
    /// <param name="request">The client's validated request.</param>
    /// <param name="upstreamModelJson">The upstream model name as a JSON string, quotes included.</param>
    /// <param name="output">Receives the body.</param>
    public static void Write(ChatRequest request, ReadOnlyMemory<byte> upstreamModelJson, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(output);
        var body = request.Body.Span;
        var reader = new Utf8JsonReader(body);
        reader.Read(); // the parser already checked the body is one object
        output.Write("{"u8);
        var first = true;
        var sawModel = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = (int)reader.TokenStartIndex;
            var drop = reader.ValueTextEquals("stream"u8) || reader.ValueTextEquals("stream_options"u8);
            var isModel = reader.ValueTextEquals("model"u8);
            reader.Read();
            var valueStart = (int)reader.TokenStartIndex;
            reader.Skip();
            var valueEnd = (int)reader.BytesConsumed;
            if (drop)
            {
                continue;
            }

            if (!first)
            {
                output.Write(","u8);
            }

            first = false;
            if (isModel)
            {
                sawModel = true;
                output.Write(body[nameStart..valueStart]);
                output.Write(upstreamModelJson.Span);
            }
            else
            {
                output.Write(body[nameStart..valueEnd]);
            }
        }

        if (!sawModel)
        {
            output.Write(first ? "\"model\":"u8 : ",\"model\":"u8);
            output.Write(upstreamModelJson.Span);
        }

        output.Write("}"u8);
    }
}
