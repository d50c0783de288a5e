using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;

namespace EdgeRouter.Simulator;

/// <summary><c>POST /v1/embeddings</c>: deterministic unit vectors seeded by each input's text.</summary>
internal static class EmbeddingsEndpoint
{
    private const int MaxInputs = 2048;
    private const int MaxDimensions = 8192;

    public static async Task HandleAsync(SimExchange exchange, SimulatorState state)
    {
        if (!await exchange.ReadBodyAsync())
        {
            return;
        }

        var request = new EmbeddingRequest();
        var error = Read(exchange.Body.WrittenSpan, state, request);
        if (request.Model is not { } model)
        {
            await exchange.SendErrorAsync(error!);
            return;
        }

        model.CountRequest(stream: false, includeUsage: false);
        await FaultRunner.RunAsync(exchange, state, model, error, request, static (x, r, fault, jitter) => AnswerAsync(x, r, fault, jitter));
    }

    private sealed class EmbeddingRequest
    {
        public ModelState? Model { get; set; }

        public string? ModelName { get; set; }

        /// <summary>One xorshift32 seed per input.</summary>
        public List<uint> Seeds { get; } = [];

        public long PromptTokens { get; set; }

        public int? Dimensions { get; set; }

        public bool Base64 { get; set; }
    }

    private static async Task AnswerAsync(SimExchange exchange, EmbeddingRequest request, SimulatedFault fault, double jitterMs)
    {
        if (fault.Kind == SimulatedFaultKind.Drop)
        {
            exchange.Drop();
            return;
        }

        var config = request.Model!.Config;
        await exchange.WaitUntilAsync(Stopwatch.GetTimestamp() + (long)((config.TtftMs + jitterMs) * Stopwatch.Frequency / 1000.0));
        Write(exchange.Json(), request, request.Dimensions ?? config.EmbeddingDimensions);
        await exchange.SendJsonAsync(200);
    }

    private static void Write(Utf8JsonWriter json, EmbeddingRequest request, int dimensions)
    {
        json.WriteStartObject();
        json.WriteString("object"u8, "list"u8);
        json.WriteStartArray("data"u8);
        var bytes = request.Base64 ? ArrayPool<byte>.Shared.Rent(dimensions * sizeof(float)) : null;
        try
        {
            for (var i = 0; i < request.Seeds.Count; i++)
            {
                json.WriteStartObject();
                json.WriteString("object"u8, "embedding"u8);
                json.WriteNumber("index"u8, i);
                var seed = request.Seeds[i];
                var scale = 1 / Norm(seed, dimensions);
                if (bytes is null)
                {
                    json.WriteStartArray("embedding"u8);
                    var rng = seed;
                    for (var d = 0; d < dimensions; d++)
                    {
                        json.WriteNumberValue((float)(Coordinate(ref rng) * scale));
                    }

                    json.WriteEndArray();
                }
                else
                {
                    var rng = seed;
                    for (var d = 0; d < dimensions; d++)
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(d * sizeof(float)), (float)(Coordinate(ref rng) * scale));
                    }

                    json.WriteBase64String("embedding"u8, bytes.AsSpan(0, dimensions * sizeof(float)));
                }

                json.WriteEndObject();
            }
        }
        finally
        {
            if (bytes is not null)
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }

        json.WriteEndArray();
        json.WriteString("model"u8, request.Model!.NameUtf8);
        json.WriteStartObject("usage"u8);
        json.WriteNumber("prompt_tokens"u8, request.PromptTokens);
        json.WriteNumber("total_tokens"u8, request.PromptTokens);
        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
    }

    // The vector is generated twice (once for its norm) instead of being buffered.
    private static double Norm(uint seed, int dimensions)
    {
        var rng = seed;
        double sum = 0;
        for (var d = 0; d < dimensions; d++)
        {
            var c = Coordinate(ref rng);
            sum += c * c;
        }

        return sum > 0 ? Math.Sqrt(sum) : 1;
    }

    /// <summary>Next xorshift32 value mapped uniformly to [-1, 1].</summary>
    private static double Coordinate(ref uint state)
    {
        var x = state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        state = x;
        return (x / (double)uint.MaxValue * 2) - 1;
    }

    private static uint Seed(uint hash) => hash == 0 ? 0x9E3779B9u : hash;

    private static SimError? Read(ReadOnlySpan<byte> body, SimulatorState state, EmbeddingRequest request)
    {
        var properties = new RequestReader(body, state, request);
        if (SimJson.ReadObject(body, ref properties, out var problem) is { } malformed)
        {
            return malformed;
        }

        if (!properties.ModelSeen)
        {
            return SimError.Missing("model");
        }

        if (problem is null && request.Model is null)
        {
            return SimError.ModelNotFound(request.ModelName ?? "");
        }

        return problem ?? (properties.InputSeen ? null : SimError.Missing("input"));
    }

    /// <summary>The state of one <see cref="Read"/>; a ref struct because token arrays are hashed from the body itself.</summary>
    private ref struct RequestReader(ReadOnlySpan<byte> body, SimulatorState state, EmbeddingRequest request) : IJsonPropertyReader
    {
        // A span parameter cannot be captured, so the body is kept as a field.
        private readonly ReadOnlySpan<byte> _body = body;

        public bool ModelSeen;
        public bool InputSeen;

        public SimError? ReadProperty(ref Utf8JsonReader reader)
        {
            SimError? error = null;
            if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                ModelSeen = true;
                if (reader.TokenType != JsonTokenType.String)
                {
                    error = SimError.WrongType("model", "a string");
                    reader.Skip();
                }
                else
                {
                    request.Model = state.Find(ref reader);
                    request.ModelName = request.Model?.Name ?? reader.GetString();
                }
            }
            else if (reader.ValueTextEquals("input"u8))
            {
                reader.Read();
                InputSeen = true;
                request.Seeds.Clear();
                request.PromptTokens = 0;
                error = ReadInput(ref reader, _body, request);
            }
            else if (reader.ValueTextEquals("dimensions"u8))
            {
                reader.Read();
                error = ChatRequestInfo.ReadInteger(ref reader, "dimensions", 1, MaxDimensions, out var dimensions);
                request.Dimensions = (int?)dimensions;
            }
            else if (reader.ValueTextEquals("encoding_format"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("base64"u8))
                {
                    request.Base64 = true;
                }
                else if (!(reader.TokenType == JsonTokenType.Null
                           || (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("float"u8))))
                {
                    error = SimError.Invalid("Invalid 'encoding_format': expected 'float' or 'base64'.", "encoding_format", "invalid_value");
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }

            return error;
        }
    }

    private static SimError? ReadInput(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, EmbeddingRequest request)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            AddText(ref reader, request);
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return InvalidInput();
        }

        var arrayStart = (int)reader.TokenStartIndex;
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.EndArray:
                return SimError.Invalid("Invalid 'input': empty array. Expected at least one input.", "input", "empty_array");
            case JsonTokenType.Number:
                // One token array: its JSON text is the seed.
                return ReadTokens(ref reader, body, arrayStart, request, alreadyInside: true);
            case JsonTokenType.String:
                SimError? error = null;
                do
                {
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        AddText(ref reader, request);
                    }
                    else
                    {
                        error ??= InvalidInput();
                        reader.Skip();
                    }
                }
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray);

                return error ?? TooMany(request);
            case JsonTokenType.StartArray:
                SimError? nested = null;
                do
                {
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        nested ??= ReadTokens(ref reader, body, (int)reader.TokenStartIndex, request, alreadyInside: false);
                    }
                    else
                    {
                        nested ??= InvalidInput();
                        reader.Skip();
                    }
                }
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray);

                return nested ?? TooMany(request);
            default:
                // Finish the array so the reader stays in step with the document.
                do
                {
                    reader.Skip();
                }
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray);

                return InvalidInput();
        }
    }

    /// <summary>Reads an array of token ids that starts at <paramref name="start"/>; the reader ends on its close.</summary>
    private static SimError? ReadTokens(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, int start, EmbeddingRequest request, bool alreadyInside)
    {
        if (!alreadyInside)
        {
            reader.Read();
        }

        SimError? error = null;
        long count = 0;
        while (reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out _))
            {
                error ??= InvalidInput();
                reader.Skip();
            }

            count++;
            if (!reader.Read())
            {
                break;
            }
        }

        var end = (int)reader.BytesConsumed;
        if (count == 0)
        {
            return error ?? SimError.Invalid("Invalid 'input': empty token array.", "input", "empty_array");
        }

        request.Seeds.Add(Seed(Fnv.Hash32(Fnv.Offset32, body[start..end])));
        request.PromptTokens += count;
        return error;
    }

    private static void AddText(ref Utf8JsonReader reader, EmbeddingRequest request)
    {
        uint hash;
        int length;
        if (!reader.ValueIsEscaped)
        {
            hash = Fnv.Hash32(Fnv.Offset32, reader.ValueSpan);
            length = reader.ValueSpan.Length;
        }
        else
        {
            var rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
            try
            {
                length = reader.CopyString(rented);
                hash = Fnv.Hash32(Fnv.Offset32, rented.AsSpan(0, length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        request.Seeds.Add(Seed(hash));
        request.PromptTokens += (length + 3) / 4;
    }

    private static SimError InvalidInput() => SimError.Invalid(
        "Invalid 'input': expected a string, an array of strings, an array of integers or an array of integer arrays.",
        "input", "invalid_type");

    private static SimError? TooMany(EmbeddingRequest request) => request.Seeds.Count > MaxInputs
        ? SimError.Invalid($"Invalid 'input': at most {MaxInputs} inputs, got {request.Seeds.Count}.", "input", "invalid_value")
        : null;
}
