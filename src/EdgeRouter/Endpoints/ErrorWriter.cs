using System.Globalization;
using EdgeRouter.Protocol;

namespace EdgeRouter.Endpoints;

/// <summary>Writes OpenAI-style error responses.</summary>
internal static class ErrorWriter
{
    public static Task MethodNotAllowedAsync(HttpContext http, string allow)
    {
        http.Response.Headers.Allow = allow;
        return WriteAsync(http, 405, $"Method {http.Request.Method} is not allowed here; use {allow}.", null, "method_not_allowed");
    }

    public static Task WriteAsync(HttpContext http, RequestError error) =>
        WriteAsync(http, error.StatusCode, error.Message, error.Param, error.Code);

    public static async Task WriteAsync(HttpContext http, int status, string message, string? param, string? code, TimeSpan? retryAfter = null)
    {
        var response = http.Response;
        if (response.HasStarted)
        {
            return;
        }

        response.StatusCode = status;
        response.ContentType = "application/json";
        if (retryAfter is { } wait)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        var body = OpenAiErrors.ToBytes(message, OpenAiErrors.TypeFor(status), param, code);
        response.ContentLength = body.Length;
        try
        {
            await response.Body.WriteAsync(body, http.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client left; there is nobody to tell.
        }
    }
}
