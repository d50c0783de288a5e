using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using EdgeRouter.Protocol;
using Microsoft.AspNetCore.Http;

namespace EdgeRouter.Simulator;

/// <summary>
/// One request being answered: its body, the bytes sent so far (kept whole so they can be recorded), pacing and
/// cancellation. Not thread-safe; owned by the request's handler.
/// </summary>
internal sealed class SimExchange : IDisposable
{
    private const int MaxPresize = 1 << 20;
    private const int DropGraceMs = 50;
    private const int UnflushedLimit = 64 * 1024;

    // Relaxed escaping keeps names and messages readable (no \u0027 for an apostrophe); output is never HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly CancellationToken _stopping;
    private Utf8JsonWriter? _json;
    private CancellationTokenSource? _waitSource;

    public SimExchange(HttpContext context, CancellationToken stopping)
    {
        Context = context;
        _stopping = stopping;
        var length = context.Request.ContentLength ?? 0;
        Body = new PooledBufferWriter((int)Math.Clamp(length, 1024, MaxPresize));
    }

    public HttpContext Context { get; }

    /// <summary>The request body as received.</summary>
    public PooledBufferWriter Body { get; }

    /// <summary>Every response byte produced so far; the first <see cref="Sent"/> of them were handed to the server.</summary>
    public PooledBufferWriter Wire { get; } = new(4096);

    public int Sent { get; private set; }

    public bool Streamed { get; set; }

    /// <summary>True once the handler asked for the connection to be cut on purpose (an injected drop).</summary>
    public bool Dropped { get; private set; }

    /// <summary>Fires when the client goes away or the server stops; only built when a wait needs it.</summary>
    public CancellationToken WaitToken
    {
        get
        {
            _waitSource ??= CancellationTokenSource.CreateLinkedTokenSource(Context.RequestAborted, _stopping);
            return _waitSource.Token;
        }
    }

    /// <summary>A JSON writer appending to <see cref="Wire"/>, reset for a new top-level value.</summary>
    public Utf8JsonWriter Json()
    {
        if (_json is null)
        {
            _json = new Utf8JsonWriter(Wire, WriterOptions);
        }
        else
        {
            _json.Reset(Wire);
        }

        return _json;
    }

    /// <summary>Reads the whole request body. On failure answers the client itself and returns false.</summary>
    public async ValueTask<bool> ReadBodyAsync()
    {
        var reader = Context.Request.BodyReader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(Context.RequestAborted);
                foreach (var segment in result.Buffer)
                {
                    Body.Write(segment.Span);
                }

                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return true;
                }
            }
        }
        catch (BadHttpRequestException ex)
        {
            // Too large, or a broken chunked encoding: answer in OpenAI's shape rather than the framework's.
            await SendErrorAsync(new SimError(ex.StatusCode, "The request body could not be read: " + ex.Message,
                "invalid_request_error", null, null));
            return false;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            Context.Abort();
            return false;
        }
    }

    /// <summary>Waits until <paramref name="due"/> (a <see cref="Stopwatch"/> timestamp); no timer when under 1 ms away.</summary>
    public Task WaitUntilAsync(long due)
    {
        var remaining = due - Stopwatch.GetTimestamp();
        if (remaining < Stopwatch.Frequency / 1000)
        {
            return Task.CompletedTask;
        }

        return Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(remaining * 1000.0 / Stopwatch.Frequency)), WaitToken);
    }

    /// <summary>Waits <paramref name="milliseconds"/>, honouring client and server cancellation.</summary>
    public Task DelayAsync(int milliseconds) =>
        milliseconds <= 0 ? Task.CompletedTask : Task.Delay(milliseconds, WaitToken);

    /// <summary>Sends the bytes of <see cref="Wire"/> not sent yet and flushes. Throws when the client has gone.</summary>
    public async ValueTask SendAsync()
    {
        var pending = Wire.WrittenMemory[Sent..];
        var result = await Context.Response.BodyWriter.WriteAsync(pending, Context.RequestAborted);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new OperationCanceledException("The client stopped reading the response.");
        }

        Sent += pending.Length;
    }

    /// <summary>
    /// Hands the rest of <see cref="Wire"/> to the server without flushing it: Kestrel flushes when the handler
    /// returns, so counters and recordings are updated before the client can see the end of the response.
    /// Large bodies are flushed except for their last byte so they do not pile up in memory.
    /// </summary>
    public async ValueTask SendLastAsync()
    {
        var pending = Wire.WrittenMemory[Sent..];
        if (pending.Length > UnflushedLimit)
        {
            var result = await Context.Response.BodyWriter.WriteAsync(pending[..^1], Context.RequestAborted);
            if (result.IsCanceled || result.IsCompleted)
            {
                throw new OperationCanceledException("The client stopped reading the response.");
            }

            Sent += pending.Length - 1;
            pending = pending[^1..];
        }

        Context.Response.BodyWriter.Write(pending.Span);
        Sent += pending.Length;
    }

    /// <summary>Sends a complete JSON answer held in <see cref="Wire"/>.</summary>
    public ValueTask SendJsonAsync(int status)
    {
        var response = Context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = Wire.WrittenCount - Sent;
        return SendLastAsync();
    }

    /// <summary>Sends an OpenAI-style error answer.</summary>
    public ValueTask SendErrorAsync(SimError error)
    {
        OpenAiErrors.WriteObject(Json(), error.Message, error.Type, error.Param, error.Code);
        return SendJsonAsync(error.Status);
    }

    /// <summary>Sends a 429 with <c>Retry-After</c>.</summary>
    public ValueTask SendRateLimitAsync(int retryAfterSeconds)
    {
        Context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return SendErrorAsync(new SimError(429, $"simulated rate limit: retry after {retryAfterSeconds} s",
            "rate_limit_error", null, "rate_limit_exceeded"));
    }

    /// <summary>Asks for the connection to be cut on purpose; done once the exchange is recorded (<see cref="AbortIfDropped"/>).</summary>
    public void Drop() => Dropped = true;

    /// <summary>
    /// <see cref="Drop"/> after what was sent has left: Kestrel's abort discards bytes still queued for the socket,
    /// so the client would otherwise miss the chunks that precede the drop.
    /// </summary>
    public async Task DropAfterSentAsync()
    {
        await Task.Delay(DropGraceMs, WaitToken);
        Drop();
    }

    /// <summary>Cuts the connection if <see cref="Drop"/> was asked for.</summary>
    public void AbortIfDropped()
    {
        if (Dropped)
        {
            Context.Abort();
        }
    }

    /// <summary>The exchange as recorded for <see cref="SimulatorState.Recent"/>.</summary>
    public RecordedExchange ToRecord(bool canceled)
    {
        var status = Sent == 0 && !Context.Response.HasStarted ? 0 : Context.Response.StatusCode;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in Context.Request.Headers)
        {
            headers[name.ToLowerInvariant()] = values.ToString();
        }

        return new RecordedExchange(Body.ToArray(), status, Wire.WrittenSpan[..Sent].ToArray(), Streamed, canceled, headers);
    }

    public void Dispose()
    {
        _json?.Dispose();
        _waitSource?.Dispose();
        Body.Dispose();
        Wire.Dispose();
    }
}
