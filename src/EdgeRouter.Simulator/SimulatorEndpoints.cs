using EdgeRouter.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeRouter.Simulator;

/// <summary>
/// The simulator's single terminal middleware: dispatches on method and path (no routing tables, no reflection)
/// and guarantees that no request ends in an unhandled exception.
/// </summary>
internal sealed class SimulatorEndpoints
{
    private readonly SimulatorState _state;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public SimulatorEndpoints(SimulatorState state, ILogger logger, CancellationToken stopping)
    {
        _state = state;
        _logger = logger;
        _stopping = stopping;
    }

    public async Task HandleAsync(HttpContext context)
    {
        using var exchange = new SimExchange(context, _stopping);
        try
        {
            await DispatchAsync(exchange);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away while a non-model endpoint answered; nothing to count.
            context.Abort();
        }
        catch (Exception ex)
        {
            // A simulator bug must not surface as the framework's bare 500 or a half-written answer.
            SimulatorLog.HandlerFailed(_logger, ex, context.Request.Method, context.Request.Path.Value ?? "");
            if (context.Response.HasStarted)
            {
                context.Abort();
            }
            else
            {
                context.Response.Clear();
                var body = OpenAiErrors.ToBytes("The simulator failed: " + ex.Message, "server_error", null, null);
                context.Response.StatusCode = 500;
                context.Response.ContentType = "application/json";
                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body, CancellationToken.None);
            }
        }
    }

    private Task DispatchAsync(SimExchange exchange)
    {
        var request = exchange.Context.Request;
        var path = request.Path.Value ?? "";
        var post = HttpMethods.IsPost(request.Method);
        var get = HttpMethods.IsGet(request.Method);
        switch (path)
        {
            case "/v1/chat/completions" when post:
                return ChatEndpoint.HandleAsync(exchange, _state);
            case "/v1/embeddings" when post:
                return EmbeddingsEndpoint.HandleAsync(exchange, _state);
            case "/v1/models" when get:
                return AdminEndpoints.ModelsAsync(exchange, _state, _created).AsTask();
            case "/healthz" when get:
                return AdminEndpoints.HealthAsync(exchange).AsTask();
            case "/_sim/faults" when post:
                return AdminEndpoints.FaultsAsync(exchange, _state);
            case "/_sim/stats" when get:
                return AdminEndpoints.StatsAsync(exchange, _state).AsTask();
            case "/_sim/script" when post:
                return ScriptEndpoints.PostAsync(exchange, _state);
            case "/_sim/script" when HttpMethods.IsDelete(request.Method):
                ScriptEndpoints.Delete(exchange, _state);
                return Task.CompletedTask;
            case "/_sim/reset" when post:
                AdminEndpoints.Reset(exchange, _state);
                return Task.CompletedTask;
            default:
                return exchange.SendErrorAsync(new SimError(404, $"Invalid URL ({request.Method} {path})", "invalid_request_error", null, null)).AsTask();
        }
    }
}
