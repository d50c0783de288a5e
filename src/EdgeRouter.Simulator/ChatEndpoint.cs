using System.Buffers;
using System.Diagnostics;
using System.Text.Json;

namespace EdgeRouter.Simulator;

/// <summary><c>POST /v1/chat/completions</c>: deterministic answers, paced like the model's latency profile.</summary>
internal static class ChatEndpoint
{
    private static ReadOnlySpan<byte> Fingerprint => "fp_edgerouter_sim"u8;

    public static async Task HandleAsync(SimExchange exchange, SimulatorState state)
    {
        if (!await exchange.ReadBodyAsync())
        {
            return;
        }

        var error = ChatRequestInfo.Read(exchange.Body.WrittenSpan, state, out var info);
        if (info.Model is not { } model)
        {
            await exchange.SendErrorAsync(error!);
            return;
        }

        if (error is null)
        {
            info.Scripted = state.Script.Resolve(exchange.Body.WrittenSpan.Slice(info.MessagesStart, info.MessagesLength), model.Name);
        }

        model.CountRequest(info.Stream, info.IncludeUsage);
        exchange.Streamed = error is null && info.Stream;
        await FaultRunner.RunAsync(exchange, state, model, error, info,
            static (x, request, fault, jitter) => request.Stream ? StreamAsync(x, request, fault, jitter) : CompleteAsync(x, request, fault, jitter));
    }

    /// <summary>Everything both response shapes share.</summary>
    private readonly struct Plan
    {
        public Plan(SimExchange exchange, in ChatRequestInfo request, double jitterMs)
        {
            var model = request.Model!;
            var config = model.Config;
            Hash = Fnv.Hash64(model.HashPrefix, exchange.Body.WrittenSpan.Slice(request.MessagesStart, request.MessagesLength));
            Scripted = request.Scripted;
            Chunks = Scripted?.Chunks();
            var answerTokens = Chunks?.Count ?? config.AnswerTokens;
            Tokens = (int)Math.Min(request.MaxTokens ?? long.MaxValue, answerTokens);
            Truncated = request.MaxTokens < answerTokens || Scripted?.FinishReason == "length";
            Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            FirstDue = Stopwatch.GetTimestamp() + (long)((config.TtftMs + jitterMs + (Scripted?.DelayMs ?? 0)) * Stopwatch.Frequency / 1000.0);
            TicksPerToken = Stopwatch.Frequency / config.TokensPerSecond;
        }

        public ulong Hash { get; }

        /// <summary>The scripted reply, when one answers instead of generated words.</summary>
        public ScriptedReply? Scripted { get; }

        /// <summary>The scripted reply's stream chunks (one per word).</summary>
        public List<string>? Chunks { get; }

        /// <summary>The scripted answer text, cut to <see cref="Tokens"/> chunks when <c>max_tokens</c> is lower.</summary>
        public string ScriptedText => Tokens >= Chunks!.Count ? Scripted!.Content : string.Concat(Chunks.Take(Tokens));

        public int Tokens { get; }

        public bool Truncated { get; }

        public long Created { get; }

        /// <summary>When the first chunk (or the whole non-stream answer before generation time) is due.</summary>
        public long FirstDue { get; }

        public double TicksPerToken { get; }

        public long DueAt(long token) => FirstDue + (long)(token * TicksPerToken);
    }

    private static async Task CompleteAsync(SimExchange exchange, ChatRequestInfo request, SimulatedFault fault, double jitterMs)
    {
        if (fault.Kind == SimulatedFaultKind.Drop)
        {
            exchange.Drop();
            return;
        }

        var plan = new Plan(exchange, request, jitterMs);
        if (plan.Scripted is { ErrorStatus: > 0 } failure)
        {
            await exchange.WaitUntilAsync(plan.FirstDue);
            await exchange.SendErrorAsync(ScriptedError(failure.ErrorStatus));
            return;
        }

        await exchange.WaitUntilAsync(plan.DueAt((long)plan.Tokens * request.Choices));
        WriteCompletion(exchange, request, plan);
        await exchange.SendJsonAsync(200);
    }

    private static async Task StreamAsync(SimExchange exchange, ChatRequestInfo request, SimulatedFault fault, double jitterMs)
    {
        var plan = new Plan(exchange, request, jitterMs);
        if (plan.Scripted is { ErrorStatus: > 0 } failure)
        {
            exchange.Streamed = false;
            await exchange.WaitUntilAsync(plan.FirstDue);
            await exchange.SendErrorAsync(ScriptedError(failure.ErrorStatus));
            return;
        }

        var response = exchange.Context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var total = (long)plan.Tokens * request.Choices;
        var dropAt = fault.Kind == SimulatedFaultKind.Drop ? Math.Min(fault.AfterTokens, total) : -1;
        await exchange.WaitUntilAsync(plan.FirstDue);
        long sent = 0;
        for (var choice = 0; choice < request.Choices; choice++)
        {
            WriteChunk(exchange, request, plan, choice, ChunkKind.Role, default);
            await exchange.SendAsync();
            if (sent == dropAt)
            {
                await exchange.DropAfterSentAsync();
                return;
            }

            var rng = AnswerWords.Seed(plan.Hash + (ulong)choice);
            for (var t = 0; t < plan.Tokens; t++)
            {
                sent++;
                await exchange.WaitUntilAsync(plan.DueAt(sent));
                WriteChunk(exchange, request, plan, choice, ChunkKind.Content,
                    plan.Chunks is { } chunks ? System.Text.Encoding.UTF8.GetBytes(chunks[t]) : AnswerWords.Next(ref rng, t == 0));
                await exchange.SendAsync();
                if (sent == dropAt)
                {
                    await exchange.DropAfterSentAsync();
                    return;
                }
            }

            WriteChunk(exchange, request, plan, choice, ChunkKind.Finish, default);
            await exchange.SendAsync();
        }

        if (request.IncludeUsage)
        {
            WriteChunk(exchange, request, plan, 0, ChunkKind.Usage, default);
            await exchange.SendAsync();
        }

        // Flushed with the end of the response, after the exchange is counted and recorded.
        exchange.Wire.Write("data: [DONE]\n\n"u8);
        await exchange.SendLastAsync();
    }

    private enum ChunkKind
    {
        Role,
        Content,
        Finish,
        Usage,
    }

    private static void WriteChunk(SimExchange exchange, in ChatRequestInfo request, in Plan plan, int choice, ChunkKind kind, ReadOnlySpan<byte> content)
    {
        exchange.Wire.Write("data: "u8);
        var json = exchange.Json();
        json.WriteStartObject();
        WriteId(json, plan.Hash);
        json.WriteString("object"u8, "chat.completion.chunk"u8);
        json.WriteNumber("created"u8, plan.Created);
        json.WriteString("model"u8, request.Model!.NameUtf8);
        json.WriteString("system_fingerprint"u8, Fingerprint);
        json.WriteStartArray("choices"u8);
        if (kind != ChunkKind.Usage)
        {
            json.WriteStartObject();
            json.WriteNumber("index"u8, choice);
            json.WriteStartObject("delta"u8);
            if (kind == ChunkKind.Role)
            {
                json.WriteString("role"u8, "assistant"u8);
                json.WriteString("content"u8, ""u8);
            }
            else if (kind == ChunkKind.Content)
            {
                json.WriteString("content"u8, content);
            }

            json.WriteEndObject();
            json.WriteNull("logprobs"u8);
            if (kind == ChunkKind.Finish)
            {
                json.WriteString("finish_reason"u8, FinishReason(plan));
            }
            else
            {
                json.WriteNull("finish_reason"u8);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (kind == ChunkKind.Usage)
        {
            WriteUsage(json, request.PromptTokens, (long)plan.Tokens * request.Choices);
        }
        else if (request.IncludeUsage)
        {
            json.WriteNull("usage"u8);
        }

        json.WriteEndObject();
        json.Flush();
        exchange.Wire.Write("\n\n"u8);
    }

    private static void WriteCompletion(SimExchange exchange, in ChatRequestInfo request, in Plan plan)
    {
        var json = exchange.Json();
        json.WriteStartObject();
        WriteId(json, plan.Hash);
        json.WriteString("object"u8, "chat.completion"u8);
        json.WriteNumber("created"u8, plan.Created);
        json.WriteString("model"u8, request.Model!.NameUtf8);
        json.WriteStartArray("choices"u8);
        var scratch = ArrayPool<byte>.Shared.Rent(Math.Max(1, plan.Tokens * AnswerWords.MaxSpacedLength));
        try
        {
            for (var choice = 0; choice < request.Choices; choice++)
            {
                json.WriteStartObject();
                json.WriteNumber("index"u8, choice);
                json.WriteStartObject("message"u8);
                json.WriteString("role"u8, "assistant"u8);
                if (plan.Scripted is not null)
                {
                    json.WriteString("content"u8, plan.ScriptedText);
                }
                else
                {
                    var length = AnswerWords.Write(plan.Hash + (ulong)choice, plan.Tokens, scratch);
                    json.WriteString("content"u8, scratch.AsSpan(0, length));
                }

                json.WriteEndObject();
                json.WriteNull("logprobs"u8);
                json.WriteString("finish_reason"u8, FinishReason(plan));
                json.WriteEndObject();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }

        json.WriteEndArray();
        WriteUsage(json, request.PromptTokens, (long)plan.Tokens * request.Choices);
        json.WriteString("system_fingerprint"u8, Fingerprint);
        json.WriteEndObject();
        json.Flush();
    }

    private static ReadOnlySpan<byte> FinishReason(in Plan plan) => plan.Truncated ? "length"u8 : "stop"u8;

    private static SimError ScriptedError(int status) =>
        new(status, "scripted upstream error", status >= 500 ? "server_error" : OpenAiErrorType(status), null, null);

    private static string OpenAiErrorType(int status) => status == 429 ? "rate_limit_error" : "invalid_request_error";

    private static void WriteId(Utf8JsonWriter json, ulong hash)
    {
        Span<byte> id = stackalloc byte[29];
        "chatcmpl-sim-"u8.CopyTo(id);
        hash.TryFormat(id[13..], out _, "x16");
        json.WriteString("id"u8, id);
    }

    internal static void WriteUsage(Utf8JsonWriter json, long promptTokens, long completionTokens)
    {
        json.WriteStartObject("usage"u8);
        json.WriteNumber("prompt_tokens"u8, promptTokens);
        json.WriteNumber("completion_tokens"u8, completionTokens);
        json.WriteNumber("total_tokens"u8, promptTokens + completionTokens);
        json.WriteEndObject();
    }
}
