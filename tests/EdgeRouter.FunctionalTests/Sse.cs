using System.Text;

namespace EdgeRouter.FunctionalTests;

/// <summary>Reads server-sent events from a response the way a client does.</summary>
internal static class Sse
{
    /// <summary>The <c>data:</c> payloads of every event in <paramref name="text"/>.</summary>
    public static List<string> Payloads(string text) =>
        text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('\n').FirstOrDefault(l => l.StartsWith("data:", StringComparison.Ordinal)))
            .Where(l => l is not null)
            .Select(l => l!["data:".Length..].TrimStart())
            .ToList();

    /// <summary>The assistant text of a recorded <c>chat.completion.chunk</c> stream: every <c>delta.content</c> joined.</summary>
    public static string Text(string text) => string.Concat(Payloads(text)
        .Where(p => p != "[DONE]")
        .Select(p => System.Text.Json.JsonDocument.Parse(p).RootElement)
        .Where(e => e.TryGetProperty("choices", out var c) && c.GetArrayLength() > 0)
        .Select(e => e.GetProperty("choices")[0].GetProperty("delta"))
        .Select(d => d.TryGetProperty("content", out var c) && c.ValueKind == System.Text.Json.JsonValueKind.String ? c.GetString() : ""));

    /// <summary>Reads events one at a time from a live response.</summary>
    public static async IAsyncEnumerable<string> ReadAsync(Stream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    yield return data.ToString();
                    data.Clear();
                }

                continue;
            }

            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Append(line["data:".Length..].TrimStart());
            }
        }
    }
}
