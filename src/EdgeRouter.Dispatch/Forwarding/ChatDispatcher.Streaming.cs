using System.Buffers;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;
using EdgeRouter.Protocol;
using Microsoft.AspNetCore.Http;

namespace EdgeRouter.Dispatch.Forwarding;

public sealed partial class ChatDispatcher
{
    private static readonly byte[] DonePayload = "[DONE]"u8.ToArray();

    /// <summary>
    /// Streaming answers: relay server-sent events as they arrive. Response headers are held back until the first
    /// event, so a failure before it can still be retried; after it, a failure ends the stream with an error event
    /// and no <c>[DONE]</c>. Each event has <c>model</c> rewritten; when the gateway asked for usage on the client's
    /// behalf, the usage chunk is read and then dropped, and <c>"usage":null</c> members are removed, so the client
    /// sees exactly what it asked for. Events that arrive in the same read are flushed together, at once.
    /// </summary>
    private async Task<AttemptResult> RelayStreamAsync(
        DispatchRequest request, ModelTarget target, bool addedUsage, HttpResponseMessage response, HttpContext http,
        AttemptClock clock, long sent)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (!string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            using var body = new PooledBufferWriter(4096);
            await UpstreamExchange.ReadBodyAsync(response, body, MaxErrorBodyBytes, clock, request.Timing, firstByteArmsIdle: false).ConfigureAwait(false);
            return AttemptResult.Fail(UpstreamOutcome.BadResponse, (int)response.StatusCode,
                $"stream requested but upstream answered {mediaType ?? "no content type"}{UpstreamExchange.Excerpt(body.WrittenSpan)}");
        }

        var state = new StreamState(request, target, addedUsage, http, clock);
        var timing = request.Timing;
        Stream? upstream = null;
        using var input = new PooledBufferWriter(16 * 1024);
        using var output = new PooledBufferWriter(16 * 1024);
        try
        {
            timing.BeginUpstreamWait();
            try
            {
                upstream = await response.Content.ReadAsStreamAsync(clock.Token).ConfigureAwait(false);
            }
            finally
            {
                timing.EndUpstreamWait();
            }

            var first = true;
            while (!state.SawDone)
            {
                int read;
                timing.BeginUpstreamWait();
                try
                {
                    read = await upstream.ReadAsync(input.GetMemory(8 * 1024), clock.Token).ConfigureAwait(false);
                }
                finally
                {
                    timing.EndUpstreamWait();
                }

                if (read == 0)
                {
                    return await state.EndedEarlyAsync("upstream closed the stream before [DONE]").ConfigureAwait(false);
                }

                if (first)
                {
                    first = false;
                    RecordFirstByte(request, target, sent, System.Diagnostics.Stopwatch.GetTimestamp());
                }

                clock.ChunkArrived();
                input.Advance(read);
                var consumed = ProcessEvents(input.WrittenSpan, output, state);
                input.DiscardFront(consumed);
                if (state.UpstreamError is not null && !state.Committed)
                {
                    return AttemptResult.Fail(UpstreamOutcome.ServerError, 200, state.UpstreamError);
                }

                if (output.WrittenCount > 0 && !await state.SendAsync(output).ConfigureAwait(false))
                {
                    return AttemptResult.Fail(UpstreamOutcome.Canceled, 499, "client disconnected");
                }

                if (input.WrittenCount > MaxErrorBodyBytes)
                {
                    return await state.EndedEarlyAsync("upstream sent an event larger than 1 MiB").ConfigureAwait(false);
                }
            }

            return state.Completed();
        }
        catch (OperationCanceledException) when (clock.TimedOut)
        {
            return await state.EndedEarlyAsync(clock.CancelReason, UpstreamOutcome.Timeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return AttemptResult.Fail(UpstreamOutcome.Canceled, 499, "client disconnected");
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return http.RequestAborted.IsCancellationRequested
                ? AttemptResult.Fail(UpstreamOutcome.Canceled, 499, "client disconnected")
                : await state.EndedEarlyAsync($"upstream connection broke: {ex.Message}", UpstreamOutcome.ConnectFailure).ConfigureAwait(false);
        }
        finally
        {
            if (upstream is not null)
            {
                await upstream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Rewrites every complete event in <paramref name="data"/> into <paramref name="output"/>; returns bytes consumed.</summary>
    private static int ProcessEvents(ReadOnlySpan<byte> data, PooledBufferWriter output, StreamState state)
    {
        var consumed = 0;
        while (!state.SawDone)
        {
            var length = SseFraming.CompleteEventLength(data[consumed..]);
            if (length < 0)
            {
                break;
            }

            RewriteEvent(data.Slice(consumed, length), output, state);
            consumed += length;
        }

        return consumed;
    }

    private static void RewriteEvent(ReadOnlySpan<byte> ev, PooledBufferWriter output, StreamState state)
    {
        if (!SseFraming.TryGetSingleData(ev, out var start, out var length))
        {
            output.Write(ev); // comments, keep-alives, multi-line data: relayed untouched
            return;
        }

        var payload = ev.Slice(start, length);
        if (payload.SequenceEqual(DonePayload))
        {
            state.SawDone = true;
            output.Write(ev);
            return;
        }

        if (!ChatResponseScanner.TryScan(payload, out var info))
        {
            output.Write(ev);
            return;
        }

        if (info.HasError)
        {
            state.UpstreamError ??= "upstream sent an error event" + UpstreamExchange.Excerpt(payload);
        }

        if (info.HasUsage)
        {
            state.Usage = new TokenUsage(info.PromptTokens, info.CompletionTokens);
        }

        var stripUsage = state.StripUsage && info.UsageMember.IsPresent;
        if (stripUsage && info.ChoicesEmpty && info.HasUsage)
        {
            return; // the usage-only chunk the client did not ask for
        }

        var editBuffer = default(TwoEdits);
        Span<JsonEdit> edits = editBuffer;
        var count = 0;
        if (info.Model.IsPresent)
        {
            edits[count++] = new JsonEdit(start + info.Model.Start, info.Model.Length, state.Target.IdJson);
        }

        if (stripUsage)
        {
            edits[count++] = new JsonEdit(start + info.UsageMember.Start, info.UsageMember.Length, ReadOnlyMemory<byte>.Empty);
            if (count == 2 && edits[1].Start < edits[0].Start)
            {
                (edits[0], edits[1]) = (edits[1], edits[0]);
            }
        }

        var before = output.WrittenCount;
        JsonEdit.Apply(ev, edits[..count], output);
        if (state.Capture)
        {
            state.Record(output.WrittenSpan[before..]);
        }
    }

    [System.Runtime.CompilerServices.InlineArray(2)]
    private struct TwoEdits
    {
        private JsonEdit _first;
    }

    /// <summary>Per-attempt state of a stream relay (a class: its async methods must update it in place).</summary>
    private sealed class StreamState
    {
        private readonly DispatchRequest _request;
        private readonly HttpContext _http;
        private readonly AttemptClock _clock;
        private List<ReadOnlyMemory<byte>>? _events;

        public StreamState(DispatchRequest request, ModelTarget target, bool addedUsage, HttpContext http, AttemptClock clock)
        {
            _request = request;
            _http = http;
            _clock = clock;
            Target = target;
            StripUsage = addedUsage && UpstreamRequestWriter.AddsUsage(request.Chat!);
            Capture = request.CaptureResponse;
        }

        public ModelTarget Target { get; }

        public bool StripUsage { get; }

        public bool Capture { get; }

        public bool Committed { get; private set; }

        public bool SawDone { get; set; }

        public string? UpstreamError { get; set; }

        public TokenUsage Usage { get; set; }

        /// <summary>Keeps the JSON payload of one sent event for completion observers.</summary>
        public void Record(ReadOnlySpan<byte> ev)
        {
            if (SseFraming.TryGetSingleData(ev, out var start, out var length))
            {
                (_events ??= []).Add(ev.Slice(start, length).ToArray());
            }
        }

        /// <summary>Sends the rewritten events, committing headers first if needed; false when the client left.</summary>
        public async ValueTask<bool> SendAsync(PooledBufferWriter output)
        {
            if (!Committed)
            {
                Commit(_http, StatusCodes.Status200OK, "text/event-stream", Target, _request);
                _http.Response.Headers.CacheControl = "no-cache";
                _http.Response.Headers["X-Accel-Buffering"] = "no";
                Committed = true;
            }

            try
            {
                var flush = await _http.Response.BodyWriter.WriteAsync(output.WrittenMemory, _clock.ClientAborted).ConfigureAwait(false);
                output.Clear();
                return !flush.IsCanceled && !flush.IsCompleted && !_clock.ClientAborted.IsCancellationRequested;
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                return false;
            }
        }

        public AttemptResult Completed() => new()
        {
            Outcome = UpstreamError is null ? UpstreamOutcome.Success : UpstreamOutcome.StreamInterrupted,
            Committed = true,
            ClientStatus = StatusCodes.Status200OK,
            Usage = Usage,
            Detail = UpstreamError,
            CapturedEvents = _events,
        };

        /// <summary>
        /// The stream stopped before <c>[DONE]</c>. Before the first byte this is an ordinary retryable failure;
        /// after it, the client gets an explicit error event so it cannot mistake the partial answer for a whole one.
        /// </summary>
        public async ValueTask<AttemptResult> EndedEarlyAsync(string reason, UpstreamOutcome before = UpstreamOutcome.ServerError)
        {
            if (!Committed)
            {
                return AttemptResult.Fail(before, 200, reason);
            }

            var error = OpenAiErrors.ToBytes($"The upstream stream from {Target.Id} was interrupted: {reason}.",
                "upstream_error", null, "stream_interrupted");
            var writer = _http.Response.BodyWriter;
            try
            {
                writer.Write("data: "u8);
                writer.Write(error);
                writer.Write("\n\n"u8);
                await writer.FlushAsync(_clock.ClientAborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // The client left as well; nothing more to tell it.
            }

            return new AttemptResult
            {
                Outcome = UpstreamOutcome.StreamInterrupted,
                Committed = true,
                ClientStatus = StatusCodes.Status200OK,
                Usage = Usage,
                Detail = reason,
            };
        }
    }
}
