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
        if (http.Response.HasStarted)
        {
            return await FinishKeptAliveAsync(http, context, response);
        }

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
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        WriteEvents(http.Response.BodyWriter, context, response);
        http.Response.BodyWriter.Write("data: [DONE]\n\n"u8);
        var flush = await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
        return !flush.IsCanceled;
    }

    private static void WriteEvents(System.IO.Pipelines.PipeWriter writer, RequestContext context, GatewayResponse response)
    {
        IReadOnlyList<ReadOnlyMemory<byte>> events = response.Events
            ?? CompletionConverter.ToEvents(response.Json.Span, context.Request.IncludeUsage)?.Select(e => (ReadOnlyMemory<byte>)e).ToList()
            ?? [];
        foreach (var payload in events)
        {
            writer.Write("data: "u8);
            writer.Write(payload.Span);
            writer.Write("\n\n"u8);
        }
    }

    /// <summary>
    /// Ends a stream whose headers <see cref="ResponseKeepAlive"/> already sent: the answer's events, then the headers
    /// that could no longer be sent (model, provider, decision…) as SSE comment lines <c>: name: value</c>, then
    /// <c>[DONE]</c>; an error becomes an <c>error</c> event without <c>[DONE]</c>, like a stream that broke.
    /// </summary>
    private static async Task<bool> FinishKeptAliveAsync(HttpContext http, RequestContext context, GatewayResponse response)
    {
        var writer = http.Response.BodyWriter;
        try
        {
            if (response.StatusCode == 200)
            {
                WriteEvents(writer, context, response);
            }
            else
            {
                writer.Write("data: "u8);
                writer.Write(response.Json.Span);
                writer.Write("\n\n"u8);
            }

            var late = new List<KeyValuePair<string, string>>();
            if (response.Model is { } model)
            {
                late.Add(new(GatewayHeaders.Model, model.Id));
                late.Add(new(GatewayHeaders.Provider, model.Provider));
            }

            late.AddRange(response.Headers);
            late.AddRange(context.ResponseHeaders.Where(h => !http.Response.Headers.ContainsKey(h.Key)));
            foreach (var (name, value) in late)
            {
                writer.Write(System.Text.Encoding.UTF8.GetBytes($": {name}: {value.ReplaceLineEndings(" ")}\n"));
            }

            if (late.Count > 0)
            {
                writer.Write("\n"u8);
            }

            if (response.StatusCode == 200)
            {
                writer.Write("data: [DONE]\n\n"u8);
            }

            var flush = await writer.FlushAsync(http.RequestAborted);
            return !flush.IsCanceled;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            return false;
        }
    }
}
