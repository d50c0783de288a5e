using System.Diagnostics;
using System.Net.Http.Headers;
using EdgeRouter.Dispatch.Providers;
using EdgeRouter.Dispatch.Reliability;
using EdgeRouter.Pipeline;
using EdgeRouter.Protocol;
using Microsoft.AspNetCore.Http;

namespace EdgeRouter.Dispatch.Forwarding;

/// <summary>How reading a whole upstream body ended.</summary>
internal enum BodyReadResult
{
    Complete,
    TooLarge,
    TimedOut,
    Canceled,
    Broken,
}

/// <summary>The end of a body read and when its first byte arrived (a <see cref="Stopwatch"/> timestamp, 0 if none did).</summary>
internal readonly record struct BodyRead(BodyReadResult Result, long FirstByteTimestamp);

/// <summary>
/// The pieces of one upstream HTTP exchange that the relaying dispatcher and the buffered completer share:
/// building the request, sending it under an <see cref="AttemptClock"/>, classifying error statuses and reading
/// whole bodies. Stateless.
/// </summary>
internal static class UpstreamExchange
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    /// <summary>A POST of <paramref name="body"/> with the provider's credentials, extra headers and forwarded client headers.</summary>
    public static HttpRequestMessage CreateMessage(
        Uri uri, ProviderRuntime provider, ReadOnlyMemory<byte> body, bool acceptEventStream, string requestId, IHeaderDictionary? clientHeaders)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ReadOnlyMemoryContent(body),
        };
        message.Content.Headers.ContentType = JsonMediaType;
        var headers = message.Headers;
        headers.TryAddWithoutValidation("Accept", acceptEventStream ? "text/event-stream" : "application/json");
        headers.TryAddWithoutValidation(GatewayHeaders.RequestId, requestId);
        foreach (var (name, value) in provider.Headers)
        {
            headers.TryAddWithoutValidation(name, value);
        }

        if (clientHeaders is not null)
        {
            foreach (var name in provider.ForwardHeaders)
            {
                if (clientHeaders.TryGetValue(name, out var values))
                {
                    headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
                }
            }
        }

        return message;
    }

    /// <summary>
    /// Sends <paramref name="message"/> and waits for the response headers. Returns the response, or null and the
    /// failure (<see cref="UpstreamOutcome.Canceled"/> when <paramref name="cancellationToken"/> fired, a timeout, a
    /// connect failure). The wait counts as upstream time in <paramref name="timing"/> when given.
    /// </summary>
    public static async Task<(HttpResponseMessage? Response, AttemptResult Failure)> SendAsync(
        ProviderRuntime provider, HttpRequestMessage message, AttemptClock clock, ExchangeTiming? timing, CancellationToken cancellationToken)
    {
        timing?.BeginUpstreamWait();
        try
        {
            return (await provider.Invoker.SendAsync(message, clock.Token).ConfigureAwait(false), default);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (null, AttemptResult.Fail(UpstreamOutcome.Canceled, 499, "client disconnected"));
        }
        catch (OperationCanceledException)
        {
            // Either our first-byte/total timer or the handler's connect timeout.
            return (null, AttemptResult.Fail(UpstreamOutcome.Timeout, 0,
                clock.TimedOut ? clock.CancelReason : $"no connection within connectMs ({provider.Config.Timeouts.ConnectMs} ms)"));
        }
        catch (HttpRequestException ex)
        {
            return (null, AttemptResult.Fail(UpstreamOutcome.ConnectFailure, 0, $"{ex.HttpRequestError}: {ex.Message}"));
        }
        finally
        {
            timing?.EndUpstreamWait();
        }
    }

    /// <summary>
    /// The outcome of a non-2xx status: 4xx other than 401/403/408/429 are the request's fault; the rest say the
    /// provider failed and may be retried or fall back.
    /// </summary>
    public static UpstreamOutcome ClassifyStatus(int status) => status switch
    {
        429 => UpstreamOutcome.RateLimited,
        401 or 403 => UpstreamOutcome.AuthFailure,
        408 => UpstreamOutcome.Timeout,
        >= 500 => UpstreamOutcome.ServerError,
        _ => UpstreamOutcome.ClientError,
    };

    /// <summary>How long the upstream asked us to wait (<c>retry-after-ms</c>, else <c>Retry-After</c>), or null.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time) =>
        Backoff.ParseRetryAfter(HeaderValue(response.Headers, "Retry-After"), HeaderValue(response.Headers, "retry-after-ms"), time.GetUtcNow());

    /// <summary>
    /// Reads a whole upstream body into <paramref name="output"/> (at most <paramref name="limit"/> bytes), counting
    /// the wait as upstream time when <paramref name="timing"/> is given. With <paramref name="firstByteArmsIdle"/>
    /// the first byte switches the clock from the first-byte timeout to the idle timeout.
    /// </summary>
    public static async Task<BodyRead> ReadBodyAsync(
        HttpResponseMessage response, PooledBufferWriter output, int limit, AttemptClock clock, ExchangeTiming? timing, bool firstByteArmsIdle)
    {
        long firstByte = 0;
        timing?.BeginUpstreamWait();
        try
        {
            using var stream = await response.Content.ReadAsStreamAsync(clock.Token).ConfigureAwait(false);
            while (true)
            {
                var read = await stream.ReadAsync(output.GetMemory(16 * 1024), clock.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return new(BodyReadResult.Complete, firstByte);
                }

                if (firstByte == 0)
                {
                    firstByte = Stopwatch.GetTimestamp();
                    if (firstByteArmsIdle)
                    {
                        clock.ChunkArrived();
                    }
                }

                output.Advance(read);
                if (output.WrittenCount > limit)
                {
                    return new(BodyReadResult.TooLarge, firstByte);
                }
            }
        }
        catch (OperationCanceledException)
        {
            return new(clock.TimedOut ? BodyReadResult.TimedOut : BodyReadResult.Canceled, firstByte);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return new(BodyReadResult.Broken, firstByte);
        }
        finally
        {
            timing?.EndUpstreamWait();
        }
    }

    /// <summary><c>": "</c> and the first 200 bytes of <paramref name="body"/> on one line, or empty.</summary>
    public static string Excerpt(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return "";
        }

        var text = System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, 200)]).ReplaceLineEndings(" ");
        return $": {text}";
    }

    private static string? HeaderValue(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
