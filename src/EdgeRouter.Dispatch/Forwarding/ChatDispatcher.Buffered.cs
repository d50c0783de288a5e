using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;
using EdgeRouter.Protocol;
using Microsoft.AspNetCore.Http;

namespace EdgeRouter.Dispatch.Forwarding;

public sealed partial class ChatDispatcher
{
    /// <summary>
    /// Non-streaming answers: read the whole upstream body, check it is a completion, rewrite <c>model</c> and send
    /// it in one write. Nothing reaches the client before the body is complete, so any failure can still be retried.
    /// </summary>
    private async Task<AttemptResult> RelayBufferedAsync(
        DispatchRequest request, ModelTarget target, HttpResponseMessage response, HttpContext http, AttemptClock clock, long sent)
    {
        using var upstream = new PooledBufferWriter((int)Math.Clamp(response.Content.Headers.ContentLength ?? 8192, 256, 1 << 20));
        var read = await UpstreamExchange.ReadBodyAsync(response, upstream, MaxBufferedResponseBytes, clock, request.Timing, firstByteArmsIdle: true)
            .ConfigureAwait(false);
        if (read.FirstByteTimestamp != 0)
        {
            RecordFirstByte(request, target, sent, read.FirstByteTimestamp);
        }

        switch (read.Result)
        {
            case BodyReadResult.Canceled:
                return AttemptResult.Fail(UpstreamOutcome.Canceled, 499, "client disconnected");
            case BodyReadResult.TimedOut:
                return AttemptResult.Fail(UpstreamOutcome.Timeout, 0, clock.CancelReason);
            case BodyReadResult.Broken:
                return AttemptResult.Fail(UpstreamOutcome.ConnectFailure, 0, "connection broke while reading the answer");
            case BodyReadResult.TooLarge:
                return AttemptResult.Fail(UpstreamOutcome.BadResponse, 0, $"answer larger than {MaxBufferedResponseBytes} bytes");
        }

        if (!ChatResponseScanner.TryScan(upstream.WrittenSpan, out var info))
        {
            return AttemptResult.Fail(UpstreamOutcome.BadResponse, (int)response.StatusCode,
                $"upstream answered {(int)response.StatusCode} with a body that is not a JSON object{UpstreamExchange.Excerpt(upstream.WrittenSpan)}");
        }

        if (info.HasError)
        {
            return AttemptResult.Fail(UpstreamOutcome.ServerError, (int)response.StatusCode,
                $"upstream answered {(int)response.StatusCode} with an error object{UpstreamExchange.Excerpt(upstream.WrittenSpan)}");
        }

        using var client = new PooledBufferWriter(upstream.WrittenCount + target.IdJson.Length);
        if (info.Model.IsPresent)
        {
            ReadOnlySpan<JsonEdit> edit = [new JsonEdit(info.Model.Start, info.Model.Length, target.IdJson)];
            JsonEdit.Apply(upstream.WrittenSpan, edit, client);
        }
        else
        {
            client.Write(upstream.WrittenSpan);
        }

        var usage = new TokenUsage(info.PromptTokens, info.CompletionTokens);
        if (!await WriteWholeAsync(http, (int)response.StatusCode, "application/json", target, request, client.WrittenMemory)
                .ConfigureAwait(false))
        {
            return AttemptResult.Fail(UpstreamOutcome.Canceled, 499, "client disconnected");
        }

        return new AttemptResult
        {
            Outcome = UpstreamOutcome.Success,
            Committed = true,
            ClientStatus = (int)response.StatusCode,
            Usage = usage,
            CapturedJson = request.CaptureResponse ? client.ToArray() : default,
        };
    }
}
