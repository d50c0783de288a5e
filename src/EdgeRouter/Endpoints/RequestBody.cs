using EdgeRouter.Protocol;
using Microsoft.Net.Http.Headers;

namespace EdgeRouter.Endpoints;

/// <summary>Reads a JSON request body into a pooled buffer, enforcing the content type and the size limit.</summary>
internal static class RequestBody
{
    /// <summary>
    /// Accepts a JSON POST: checks the method, content type and size and reads the body. Returns the body (dispose
    /// it), or null after answering the client with the matching 405/413/415/400 (or when the client left).
    /// </summary>
    public static async Task<PooledBufferWriter?> AcceptJsonPostAsync(HttpContext http, long limit)
    {
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            await ErrorWriter.MethodNotAllowedAsync(http, "POST");
            return null;
        }

        var (body, error) = await ReadJsonAsync(http, limit);
        if (error is not null)
        {
            await ErrorWriter.WriteAsync(http, error);
        }

        return body;
    }

    /// <summary>
    /// Reads the body. Returns the buffer (dispose it) or null with an error; a null error with
    /// a null buffer means the client went away.
    /// </summary>
    private static async Task<(PooledBufferWriter? Body, RequestError? Error)> ReadJsonAsync(HttpContext http, long limit)
    {
        var request = http.Request;
        if (!IsJson(request.ContentType))
        {
            return (null, new RequestError(415,
                $"Unsupported Content-Type '{request.ContentType ?? "(none)"}': send the request body as application/json.",
                null, "unsupported_media_type"));
        }

        if (request.ContentLength > limit)
        {
            return (null, TooLarge(limit));
        }

        var body = new PooledBufferWriter((int)Math.Min(request.ContentLength ?? 4096, limit) + 1);
        var reader = request.BodyReader;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(http.RequestAborted);
                var buffer = read.Buffer;
                if (body.WrittenCount + buffer.Length > limit)
                {
                    reader.AdvanceTo(buffer.End);
                    body.Dispose();
                    return (null, TooLarge(limit));
                }

                foreach (var segment in buffer)
                {
                    body.Write(segment.Span);
                }

                reader.AdvanceTo(buffer.End);
                if (read.IsCompleted || read.IsCanceled)
                {
                    return (body, null);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or BadHttpRequestException)
        {
            body.Dispose();
            return (null, ex is BadHttpRequestException bad
                ? new RequestError(bad.StatusCode, $"The request body could not be read: {bad.Message}", null, "invalid_body")
                : null);
        }
    }

    private static RequestError TooLarge(long limit) =>
        new(413, $"The request body is larger than the limit of {limit} bytes.", null, "request_too_large");

    private static bool IsJson(string? contentType) =>
        contentType is not null
        && MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && parsed.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        && (parsed.Charset.Length == 0 || parsed.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));
}
