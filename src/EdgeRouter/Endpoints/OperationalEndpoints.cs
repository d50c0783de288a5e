using System.Buffers;
using System.Text.Json;
using EdgeRouter.Diagnostics.Metrics;
using EdgeRouter.Dispatch.Reliability;
using EdgeRouter.Runtime;

namespace EdgeRouter.Endpoints;

/// <summary>
/// <c>/healthz</c> (the process is alive), <c>/readyz</c> (serving, with provider circuit states and whether the
/// in-process models are loaded; <c>/readyz?full</c> also waits for the models) and <c>/metrics</c>.
/// </summary>
internal sealed class OperationalEndpoints
{
    private readonly SnapshotHolder _snapshots;
    private readonly MetricsRegistry _metrics;
    private readonly Func<bool> _isReady;
    private readonly Func<bool> _modelsLoaded;

    public OperationalEndpoints(SnapshotHolder snapshots, MetricsRegistry metrics, Func<bool> isReady, Func<bool> modelsLoaded)
    {
        _snapshots = snapshots;
        _metrics = metrics;
        _isReady = isReady;
        _modelsLoaded = modelsLoaded;
    }

    public static Task HealthAsync(HttpContext http)
    {
        http.Response.ContentType = "text/plain";
        return http.Response.WriteAsync("ok\n", http.RequestAborted);
    }

    public async Task ReadyAsync(HttpContext http)
    {
        // Serving starts before the models are loaded (routes skip the stages that need them); "?full" asks for both.
        var modelsLoaded = _modelsLoaded();
        var ready = _isReady() && (modelsLoaded || !http.Request.Query.ContainsKey("full"));
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("status"u8, ready ? "ready" : "starting");
            writer.WriteString("models"u8, modelsLoaded ? "loaded" : "loading");
            writer.WriteStartObject("providers"u8);
            foreach (var provider in _snapshots.Current.Providers.All)
            {
                writer.WriteString(provider.Name, provider.Breaker.State switch
                {
                    CircuitState.Open => "open",
                    CircuitState.HalfOpen => "half_open",
                    _ => "closed",
                });
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        http.Response.StatusCode = ready ? 200 : 503;
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(buffer.WrittenMemory, http.RequestAborted);
    }

    public async Task MetricsAsync(HttpContext http)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        _metrics.WriteTo(buffer);
        http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await http.Response.Body.WriteAsync(buffer.WrittenMemory, http.RequestAborted);
    }

    public static Task NotFoundAsync(HttpContext http)
    {
        RequestIds.Assign(http);
        return ErrorWriter.WriteAsync(http, 404, $"Unknown path {http.Request.Method} {http.Request.Path}.", null, "unknown_url");
    }
}
