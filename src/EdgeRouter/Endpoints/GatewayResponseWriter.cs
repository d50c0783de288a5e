using System.Buffers;
using System.Globalization;
using EdgeRouter.Pipeline;
using EdgeRouter.Protocol;

namespace EdgeRouter.Endpoints;

/// <summary>
/// Writes a response a stage produced (rather than one relayed live), in the shape the client asked for:
/// recorded events become one JSON completion for a non-streaming client, and a JSON completion becomes
/// chunk events for a streaming one.
/// </summary>
internal static class GatewayResponseWriter
{
    /// <summary>Writes <paramref name="response"/>; returns false when the client went away.</summary>
    public static async Task<bool> WriteAsync(HttpContext http, RequestContext context, GatewayResponse response)
    {
        var headers = http.Response.Headers;
        if (response.Model is { } model)
        {
            headers[GatewayHeaders.Model] = model.Id;
            headers[GatewayHeaders.Provider] = model.Provider;
        }

        foreach (var (name, value) in context.ResponseHeaders)
        {
            headers[name] = value;
        }

        foreach (var (name, value) in response.Headers)
        {
            headers[name] = value;
        }

        headers[GatewayHeaders.OverheadMs] = context.Timing.OverheadMs.ToString("F3", CultureInfo.InvariantCulture);
        http.Response.StatusCode = response.StatusCode;
        try
        {
            if (context.Request.Stream && response.StatusCode == 200)
            {
                return await WriteEventsAsync(http, context, response);
            }

            var json = !response.Json.IsEmpty ? response.Json
                : response.Events is { } events ? CompletionConverter.ToCompletion(events) ?? ReadOnlyMemory<byte>.Empty
                : ReadOnlyMemory<byte>.Empty;
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = json.Length;
            var flush = await http.Response.BodyWriter.WriteAsync(json, http.RequestAborted);
            return !flush.IsCanceled;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            return false;
        }
    }

    private static async Task<bool> WriteEventsAsync(HttpContext http, RequestContext context, GatewayResponse response)
    {
        IReadOnlyList<ReadOnlyMemory<byte>> events = response.Events
            ?? CompletionConverter.ToEvents(response.Json.Span, context.Request.IncludeUsage)?.Select(e => (ReadOnlyMemory<byte>)e).ToList()
            ?? [];
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        var writer = http.Response.BodyWriter;
        foreach (var payload in events)
        {
            writer.Write("data: "u8);
            writer.Write(payload.Span);
            writer.Write("\n\n"u8);
        }

        writer.Write("data: [DONE]\n\n"u8);
        var flush = await writer.FlushAsync(http.RequestAborted);
        return !flush.IsCanceled;
    }
}
