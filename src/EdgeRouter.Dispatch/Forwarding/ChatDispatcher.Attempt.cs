using System.Diagnostics;
using System.Net.Http.Headers;
using EdgeRouter.Configuration;
using EdgeRouter.Dispatch.Providers;
using EdgeRouter.Dispatch.Reliability;
using EdgeRouter.Protocol;
using Microsoft.AspNetCore.Http;

namespace EdgeRouter.Dispatch.Forwarding;

public sealed partial class ChatDispatcher
{
    private const int MaxErrorBodyBytes = 1024 * 1024;

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private async Task<AttemptResult> AttemptAsync(
        DispatchRequest request, ModelTarget target, ProviderRuntime provider, ReadOnlyMemory<byte> body, HttpContext http,
        CancellationToken cancellationToken)
    {
        using var clock = new AttemptClock(provider.Config.Timeouts, cancellationToken);
        using var message = CreateMessage(request, provider, body);
        var timing = request.Timing;
        var sent = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        timing.BeginUpstreamWait();
        try
        {
            response = await provider.Invoker.SendAsync(message, clock.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return AttemptResult.Fail(UpstreamOutcome.Canceled, 499, "client disconnected");
        }
        catch (OperationCanceledException)
        {
            // Either our first-byte/total timer or the handler's connect timeout.
            return AttemptResult.Fail(UpstreamOutcome.Timeout, 0,
                clock.TimedOut ? clock.CancelReason : $"no connection within connectMs ({provider.Config.Timeouts.ConnectMs} ms)");
        }
        catch (HttpRequestException ex)
        {
            return AttemptResult.Fail(UpstreamOutcome.ConnectFailure, 0, $"{ex.HttpRequestError}: {ex.Message}");
        }
        finally
        {
            timing.EndUpstreamWait();
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is < 200 or > 299)
            {
                return await RelayOrClassifyErrorAsync(request, target, response, http, clock).ConfigureAwait(false);
            }

            return request.Stream
                ? await RelayStreamAsync(request, target, provider.Config.StreamUsage, response, http, clock, sent).ConfigureAwait(false)
                : await RelayBufferedAsync(request, target, response, http, clock, sent).ConfigureAwait(false);
        }
    }

    private static HttpRequestMessage CreateMessage(DispatchRequest request, ProviderRuntime provider, ReadOnlyMemory<byte> body)
    {
        var uri = request.Api == UpstreamApi.Embeddings ? provider.EmbeddingsUri : provider.ChatCompletionsUri;
        var message = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ReadOnlyMemoryContent(body),
        };
        message.Content.Headers.ContentType = JsonMediaType;
        var headers = message.Headers;
        headers.TryAddWithoutValidation("Accept", request.Stream ? "text/event-stream" : "application/json");
        headers.TryAddWithoutValidation(GatewayHeaders.RequestId, request.RequestId);
        foreach (var (name, value) in provider.Headers)
        {
            headers.TryAddWithoutValidation(name, value);
        }

        if (request.ClientHeaders is { } client)
        {
            foreach (var name in provider.ForwardHeaders)
            {
                if (client.TryGetValue(name, out var values))
                {
                    headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
                }
            }
        }

        return message;
    }

    /// <summary>
    /// Non-2xx answers: 4xx other than 401/403/408/429 are the request's fault and are relayed to the client as
    /// the final answer; everything else is a provider failure that may be retried or fall back.
    /// </summary>
    private async Task<AttemptResult> RelayOrClassifyErrorAsync(
        DispatchRequest request, ModelTarget target, HttpResponseMessage response, HttpContext http, AttemptClock clock)
    {
        var status = (int)response.StatusCode;
        var retryAfter = Backoff.ParseRetryAfter(
            HeaderValue(response.Headers, "Retry-After"), HeaderValue(response.Headers, "retry-after-ms"), _time.GetUtcNow());
        var outcome = status switch
        {
            429 => UpstreamOutcome.RateLimited,
            401 or 403 => UpstreamOutcome.AuthFailure,
            408 => UpstreamOutcome.Timeout,
            >= 500 => UpstreamOutcome.ServerError,
            _ => UpstreamOutcome.ClientError,
        };
        using var body = new PooledBufferWriter(4096);
        var read = await ReadBodyAsync(response, body, MaxErrorBodyBytes, request, clock).ConfigureAwait(false);
        var excerpt = Excerpt(body.WrittenSpan);
        if (outcome != UpstreamOutcome.ClientError)
        {
            return AttemptResult.Fail(outcome, status, $"upstream answered {status}{excerpt}", retryAfter);
        }

        if (read != ReadResult.Complete)
        {
            return read == ReadResult.Canceled
                ? AttemptResult.Fail(UpstreamOutcome.Canceled, 499, "client disconnected")
                : AttemptResult.Fail(UpstreamOutcome.BadResponse, status, $"upstream {status} error body could not be read: {read}");
        }

        var contentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
        if (!await WriteWholeAsync(http, status, contentType, target, request, body.WrittenMemory).ConfigureAwait(false))
        {
            return AttemptResult.Fail(UpstreamOutcome.Canceled, 499, "client disconnected");
        }

        return new AttemptResult
        {
            Outcome = UpstreamOutcome.ClientError,
            Committed = true,
            ClientStatus = status,
            Detail = $"upstream rejected the request with {status}{excerpt}",
        };
    }

    private enum ReadResult
    {
        Complete,
        TooLarge,
        TimedOut,
        Canceled,
        Broken,
    }

    /// <summary>Reads a whole upstream body into <paramref name="output"/>, counting the wait as upstream time.</summary>
    private async Task<ReadResult> ReadBodyAsync(
        HttpResponseMessage response, PooledBufferWriter output, int limit, DispatchRequest request, AttemptClock clock,
        long sentTimestamp = 0, ModelTarget? target = null)
    {
        var timing = request.Timing;
        timing.BeginUpstreamWait();
        try
        {
            using var stream = await response.Content.ReadAsStreamAsync(clock.Token).ConfigureAwait(false);
            var first = true;
            while (true)
            {
                var read = await stream.ReadAsync(output.GetMemory(16 * 1024), clock.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return ReadResult.Complete;
                }

                if (first && sentTimestamp != 0 && target is not null)
                {
                    first = false;
                    RecordFirstByte(request, target, sentTimestamp);
                    clock.ChunkArrived();
                }

                output.Advance(read);
                if (output.WrittenCount > limit)
                {
                    return ReadResult.TooLarge;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return clock.TimedOut ? ReadResult.TimedOut : ReadResult.Canceled;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return ReadResult.Broken;
        }
        finally
        {
            timing.EndUpstreamWait();
        }
    }

    private void RecordFirstByte(DispatchRequest request, ModelTarget target, long sentTimestamp)
    {
        var ttfb = Stopwatch.GetElapsedTime(sentTimestamp);
        request.Timing.UpstreamTimeToFirstByteMs = ttfb.TotalMilliseconds;
        _metrics.UpstreamTimeToFirstByte.WithLabels(target.Provider, target.Id).Observe(ttfb.TotalSeconds);
    }

    /// <summary>Sets status and the gateway's headers; the body follows.</summary>
    private static void Commit(HttpContext http, int status, string contentType, ModelTarget target, DispatchRequest request)
    {
        var response = http.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        var headers = response.Headers;
        headers[GatewayHeaders.Model] = target.Id;
        headers[GatewayHeaders.Provider] = target.Provider;
        headers[GatewayHeaders.OverheadMs] = request.Timing.OverheadMs.ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (name, value) in request.ExtraHeaders)
        {
            headers[name] = value;
        }
    }

    /// <summary>Writes a whole body; false when the client has gone.</summary>
    private static async Task<bool> WriteWholeAsync(
        HttpContext http, int status, string contentType, ModelTarget target, DispatchRequest request, ReadOnlyMemory<byte> body)
    {
        Commit(http, status, contentType, target, request);
        http.Response.ContentLength = body.Length;
        try
        {
            var flush = await http.Response.BodyWriter.WriteAsync(body, http.RequestAborted).ConfigureAwait(false);
            return !flush.IsCanceled && !http.RequestAborted.IsCancellationRequested;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            return false;
        }
    }

    private static string? HeaderValue(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static string Excerpt(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return "";
        }

        var text = System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, 200)]).ReplaceLineEndings(" ");
        return $": {text}";
    }
}
