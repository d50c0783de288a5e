using EdgeRouter.Protocol;

namespace EdgeRouter.Endpoints;

/// <summary>Takes the client's <c>x-request-id</c> when it is safe to echo, else makes one.</summary>
internal static class RequestIds
{
    private const int MaxLength = 128;

    public static string Assign(HttpContext http)
    {
        var incoming = http.Request.Headers[GatewayHeaders.RequestId];
        var id = incoming.Count == 1 && IsSafe(incoming[0]) ? incoming[0]! : "req_" + Guid.NewGuid().ToString("N");
        http.Response.Headers[GatewayHeaders.RequestId] = id;
        return id;
    }

    private static bool IsSafe(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            {
                return false;
            }
        }

        return true;
    }
}
