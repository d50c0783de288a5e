using EdgeRouter.Diagnostics;
using EdgeRouter.Dispatch.Forwarding;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;
using EdgeRouter.Protocol;
using EdgeRouter.Runtime;

namespace EdgeRouter.Endpoints;

/// <summary>
/// <c>POST /v1/chat/completions</c>: validate, resolve the route, run its stages, then dispatch the decision or
/// write the stage's response; finally record metrics, the decision log line and notify completion observers.
/// </summary>
internal sealed class ChatCompletionsEndpoint
{
    private readonly SnapshotHolder _snapshots;
    private readonly ChatDispatcher _dispatcher;
    private readonly RequestRecorder _recorder;
    private readonly ILogger _logger;

    public ChatCompletionsEndpoint(SnapshotHolder snapshots, ChatDispatcher dispatcher, RequestRecorder recorder, ILogger logger)
    {
        _snapshots = snapshots;
        _dispatcher = dispatcher;
        _recorder = recorder;
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext http)
    {
        var timing = new ExchangeTiming();
        var requestId = RequestIds.Assign(http);
        var snapshot = _snapshots.Current;
        var body = await RequestBody.AcceptJsonPostAsync(http, snapshot.Config.Server.MaxRequestBodyBytes);
        if (body is null)
        {
            return;
        }

        using (body)
        {
            var request = ChatRequestParser.Parse(body.WrittenMemory, out var error);
            if (request is null)
            {
                await ErrorWriter.WriteAsync(http, error!);
                return;
            }

            if (!snapshot.TryResolveRoute(request.Model, out var route))
            {
                await ErrorWriter.WriteAsync(http, 404,
                    $"The model '{request.Model}' does not exist: use a route name or provider/model (see GET /v1/models).",
                    "model", "model_not_found");
                return;
            }

            http.Response.Headers[GatewayHeaders.Route] = route.Name;
            if (!TryReadTenant(http, out var tenant))
            {
                await ErrorWriter.WriteAsync(http, 400,
                    "Invalid x-edgerouter-tenant: use 1 to 128 letters, digits, '.', '_', ':' or '-'.", GatewayHeaders.Tenant, "invalid_tenant");
                return;
            }

            var context = new RequestContext(requestId, route.Name, request, http.Request.Headers) { Timing = timing, Tenant = tenant, RouteModels = route.Models };
            try
            {
                await RouteAsync(http, snapshot, route, context);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
            {
                GatewayLog.UnhandledError(_logger, requestId, ex);
                _recorder.Record(context, new RequestSummary(500, "internal_error", null, 0, default, 0m));
                if (http.Response.HasStarted)
                {
                    http.Abort();
                }
                else
                {
                    await ErrorWriter.WriteAsync(http, 500, $"The gateway failed to handle request {requestId}.", null, "internal_error");
                }
            }
        }
    }

    private static bool TryReadTenant(HttpContext http, out string tenant)
    {
        var values = http.Request.Headers[GatewayHeaders.Tenant];
        tenant = RequestContext.DefaultTenant;
        if (values.Count == 0)
        {
            return true;
        }

        var value = values.Count == 1 ? values[0] : null;
        if (string.IsNullOrEmpty(value) || value.Length > 128
            || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-'))
        {
            return false;
        }

        tenant = value;
        return true;
    }

    private async Task RouteAsync(HttpContext http, GatewaySnapshot snapshot, RouteRuntime route, RequestContext context)
    {
        var outcome = await ResponseKeepAlive.RunAsync(route, context, http);
        if (context.HasRouting && outcome.Kind != StageOutcomeKind.Continue)
        {
            context.AddResponseHeader(GatewayHeaders.Decision, DecisionJson.Render(context.Routing));
        }

        switch (outcome.Kind)
        {
            case StageOutcomeKind.Decide:
                await DispatchAsync(http, snapshot, route, context, outcome.Decision!);
                break;
            case StageOutcomeKind.Respond:
                await RespondAsync(http, context, outcome.Response!);
                break;
            default:
                // Validation requires a deciding stage, so this means a stage broke its contract.
                await ErrorWriter.WriteAsync(http, 503, $"Route '{route.Name}' produced no decision.", "model", "no_decision");
                _recorder.Record(context, new RequestSummary(503, "no_decision", null, 0, default, 0m));
                break;
        }
    }

    private async Task DispatchAsync(HttpContext http, GatewaySnapshot snapshot, RouteRuntime route, RequestContext context, RoutingDecision decision)
    {
        var request = new DispatchRequest
        {
            RequestId = context.RequestId,
            Api = UpstreamApi.ChatCompletions,
            Body = context.Request.Body,
            ModelValue = context.Request.ModelValue,
            Chat = context.Request,
            ClientHeaders = context.Headers,
            ExtraHeaders = context.ResponseHeaders,
            Timing = context.Timing,
            CaptureResponse = context.CaptureResponse,
        };
        if (decision.Reason.Length > 0 && context.Trace.Entries.Count == 0)
        {
            context.Trace.Add("decision", decision.Reason);
        }

        var result = await _dispatcher.DispatchAsync(request, route.Candidates(decision), snapshot.Providers, http, http.RequestAborted);
        if (!result.Committed && result.Outcome != UpstreamOutcome.Canceled)
        {
            await ErrorWriter.WriteAsync(http, result.StatusCode, result.Detail ?? "No upstream could answer.", null,
                "upstream_" + result.Outcome.ToLabel(), result.RetryAfter);
        }

        var summary = new RequestSummary(result.StatusCode, result.Outcome.ToLabel(), result.Model, result.Attempts, result.Usage, result.CostUsd);
        _recorder.Record(context, summary);
        NotifyRouting(context, result.Committed && result.StatusCode == 200 ? result.Model : null);
        if (context.CaptureResponse)
        {
            await NotifyAsync(context, new CompletedExchange
            {
                Succeeded = result.Outcome == UpstreamOutcome.Success && result.StatusCode == 200,
                StatusCode = result.StatusCode,
                Model = result.Model,
                Streamed = context.Request.Stream,
                Json = result.CapturedJson,
                Events = result.CapturedEvents,
                Usage = result.Usage,
                CostUsd = result.CostUsd,
            });
        }
    }

    private async Task RespondAsync(HttpContext http, RequestContext context, GatewayResponse response)
    {
        var written = await GatewayResponseWriter.WriteAsync(http, context, response);
        _recorder.Record(context, new RequestSummary(response.StatusCode, written ? "responded" : "canceled", response.Model,
            response.Attempts, response.Usage, response.CostUsd));
        NotifyRouting(context, written && response.StatusCode == 200 ? response.Model : null);
        if (context.CaptureResponse)
        {
            await NotifyAsync(context, new CompletedExchange
            {
                Succeeded = written && response.StatusCode == 200,
                StatusCode = response.StatusCode,
                Model = response.Model,
                Streamed = context.Request.Stream,
                Json = response.Json,
                Events = response.Events,
                Usage = response.Usage,
            });
        }
    }

    /// <summary>Tells routers that learn from outcomes (and sticky conversations) how the request ended.</summary>
    private void NotifyRouting(RequestContext context, ModelTarget? answered)
    {
        if (!context.HasRouting)
        {
            return;
        }

        var routing = context.Routing;
        var escalated = answered is not null && routing.Chosen is { } chosen && routing.IndexOf(answered) > routing.IndexOf(chosen);
        try
        {
            routing.NotifyAnswered(new RoutingOutcome(answered, answered is not null, routing.FirstChoiceAcceptable, escalated,
                context.Timing.ElapsedMs));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            GatewayLog.CompletionObserverFailed(_logger, context.RequestId, ex);
        }
    }

    private async Task NotifyAsync(RequestContext context, CompletedExchange exchange)
    {
        try
        {
            await context.NotifyCompletedAsync(exchange);
        }
        catch (AggregateException ex)
        {
            GatewayLog.CompletionObserverFailed(_logger, context.RequestId, ex);
        }
    }
}
