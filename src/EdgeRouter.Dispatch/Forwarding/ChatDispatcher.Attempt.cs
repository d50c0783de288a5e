using System.Diagnostics;
using EdgeRouter.Configuration;
using EdgeRouter.Dispatch.Providers;
using EdgeRouter.Protocol;
using Microsoft.AspNetCore.Http;

namespace EdgeRouter.Dispatch.Forwarding;

public sealed partial class ChatDispatcher
{
    /// <summary>Largest upstream error body read.</summary>
    internal const int MaxErrorBodyBytes = 1024 * 1024;

    private async Task<AttemptResult> AttemptAsync(
        DispatchRequest request, ModelTarget target, ProviderRuntime provider, ReadOnlyMemory<byte> body, HttpContext http,
        CancellationToken cancellationToken)
    {
        using var clock = new AttemptClock(provider.Config.Timeouts, cancellationToken);
        var uri = request.Api == UpstreamApi.Embeddings ? provider.EmbeddingsUri : provider.ChatCompletionsUri;
        using var message = UpstreamExchange.CreateMessage(uri, provider, body, request.Stream, request.RequestId, request.ClientHeaders);
        var sent = Stopwatch.GetTimestamp();
        var (response, failure) = await UpstreamExchange.SendAsync(provider, message, clock, request.Timing, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return failure;
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

    /// <summary>
    /// Non-2xx answers: 4xx other than 401/403/408/429 are the request's fault and are relayed to the client as
    /// the final answer; everything else is a provider failure that may be retried or fall back.
    /// </summary>
    private async Task<AttemptResult> RelayOrClassifyErrorAsync(
        DispatchRequest request, ModelTarget target, HttpResponseMessage response, HttpContext http, AttemptClock clock)
    {
        var status = (int)response.StatusCode;
        var retryAfter = UpstreamExchange.RetryAfter(response, _time);
        var outcome = UpstreamExchange.ClassifyStatus(status);
        using var body = new PooledBufferWriter(4096);
        var read = await UpstreamExchange.ReadBodyAsync(response, body, MaxErrorBodyBytes, clock, request.Timing, firstByteArmsIdle: false)
            .ConfigureAwait(false);
        var excerpt = UpstreamExchange.Excerpt(body.WrittenSpan);
        if (outcome != UpstreamOutcome.ClientError)
        {
            return AttemptResult.Fail(outcome, status, $"upstream answered {status}{excerpt}", retryAfter);
        }

        if (read.Result != BodyReadResult.Complete)
        {
            return read.Result == BodyReadResult.Canceled
                ? AttemptResult.Fail(UpstreamOutcome.Canceled, 499, "client disconnected")
                : AttemptResult.Fail(UpstreamOutcome.BadResponse, status, $"upstream {status} error body could not be read: {read.Result}");
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

    private void RecordFirstByte(DispatchRequest request, ModelTarget target, long sentTimestamp, long firstByteTimestamp)
    {
        var ttfb = Stopwatch.GetElapsedTime(sentTimestamp, firstByteTimestamp);
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
}
