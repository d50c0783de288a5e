using System.Buffers;
using System.Globalization;
using EdgeRouter.Pipeline;
using EdgeRouter.Protocol;

namespace EdgeRouter.Endpoints;

/// <summary>
/// Runs a route's pipeline and, when a stage deferred its response (<see cref="RequestContext.DeferResponse"/>: a
/// cascade or race verifying answers) for a streaming client, keeps the connection alive while it works: after each
/// keep-alive interval without an answer it sends (the first time) the response headers, 200 and
/// <c>text/event-stream</c>, then the SSE comment <c>: edgerouter verifying</c>. Clients ignore comments; proxies see
/// traffic. <see cref="GatewayResponseWriter"/> then finishes the stream. Pipelines that complete synchronously,
/// non-streaming requests and stages that never defer are untouched.
/// </summary>
internal static class ResponseKeepAlive
{
    /// <summary>The keep-alive comment, a complete SSE block.</summary>
    public static ReadOnlySpan<byte> Comment => ": edgerouter verifying\n\n"u8;

    public static ValueTask<StageOutcome> RunAsync(RouteRuntime route, RequestContext context, HttpContext http)
    {
        var running = route.RunAsync(context, http.RequestAborted);
        return running.IsCompleted || !context.Request.Stream ? running : KeepAliveAsync(running.AsTask(), context, http);
    }

    private static async ValueTask<StageOutcome> KeepAliveAsync(Task<StageOutcome> running, RequestContext context, HttpContext http)
    {
        var deferred = context.ResponseDeferred;
        if (await Task.WhenAny(running, deferred) == running)
        {
            return await running;
        }

        var interval = await deferred;
        if (interval <= TimeSpan.Zero)
        {
            return await running;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        while (await Task.WhenAny(running, Task.Delay(interval, stop.Token)) != running)
        {
            if (http.RequestAborted.IsCancellationRequested || !await SendCommentAsync(http, context))
            {
                break; // the client left: the stage sees the same cancellation
            }
        }

        await stop.CancelAsync();
        return await running;
    }

    private static async ValueTask<bool> SendCommentAsync(HttpContext http, RequestContext context)
    {
        try
        {
            var response = http.Response;
            if (!response.HasStarted)
            {
                response.StatusCode = 200;
                response.ContentType = "text/event-stream";
                response.Headers.CacheControl = "no-cache";
                response.Headers[GatewayHeaders.OverheadMs] = context.Timing.OverheadMs.ToString("F3", CultureInfo.InvariantCulture);
                foreach (var (name, value) in context.ResponseHeaders)
                {
                    response.Headers[name] = value;
                }
            }

            response.BodyWriter.Write(Comment);
            var flush = await response.BodyWriter.FlushAsync(http.RequestAborted);
            return !flush.IsCanceled && !flush.IsCompleted;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            return false;
        }
    }
}
