namespace EdgeRouter.Simulator;

/// <summary>One request to a simulated model and what was sent back.</summary>
/// <param name="RequestBody">The request body exactly as received.</param>
/// <param name="StatusCode">The response status, or 0 when the connection was dropped before any response.</param>
/// <param name="ResponseBody">Exactly the bytes written to the wire: the whole JSON, or the SSE text as sent, even if cut short.</param>
/// <param name="Streamed">True when the response was a server-sent event stream.</param>
/// <param name="Canceled">True when the client went away (or the server stopped) before the response was complete.</param>
/// <param name="RequestHeaders">The request headers, names in lower case, repeated values joined with ", ".</param>
public sealed record RecordedExchange(
    byte[] RequestBody, int StatusCode, byte[] ResponseBody, bool Streamed, bool Canceled, IReadOnlyDictionary<string, string> RequestHeaders);
