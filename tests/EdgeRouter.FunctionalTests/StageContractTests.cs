using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using EdgeRouter.Pipeline;

namespace EdgeRouter.FunctionalTests;

/// <summary>
/// The stage contract end to end: a stage can answer by itself (and the gateway converts its answer to the shape
/// the client asked for), or observe the finished exchange with the exact bytes the client received.
/// </summary>
public class StageContractTests
{
    private const string Canned = """{"id":"chatcmpl-canned","object":"chat.completion","created":1700000000,"model":"sim/cheap","choices":[{"index":0,"message":{"role":"assistant","content":"from the stage"},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":3,"total_tokens":6}}""";

    private static Func<Uri, string> WithRoutes => api => TestGateway.Config(api, routesExtra: """
        , "canned": { "stages": [ { "kind": "canned" }, { "kind": "static", "target": "sim/cheap" } ] },
          "observed": { "stages": [ { "kind": "observe" }, { "kind": "static", "target": "sim/cheap" } ] }
        """);

    [Fact]
    public async Task AStageCanAnswerWithoutAnyUpstream()
    {
        await using var test = await TestGateway.StartAsync(WithRoutes, [new CannedFactory(), new ObserveFactory()]);

        using var response = await test.PostChatAsync(TestGateway.ChatBody("canned"));

        Assert.Equal(Canned, await response.Content.ReadAsStringAsync());
        Assert.Equal("sim/cheap", response.Headers.GetValues("x-edgerouter-model").Single());
        Assert.Equal("hit", response.Headers.GetValues("x-test-stage").Single());
        Assert.Equal(0, test.Sim.Stats("sim-cheap").Requests);
    }

    [Fact]
    public async Task AStagesJsonAnswerIsStreamedToAStreamingClient()
    {
        await using var test = await TestGateway.StartAsync(WithRoutes, [new CannedFactory(), new ObserveFactory()]);

        using var response = await test.PostChatAsync(TestGateway.ChatBody("canned", extra: ",\"stream\":true"));
        var payloads = Sse.Payloads(await response.Content.ReadAsStringAsync());

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("[DONE]", payloads[^1]);
        var content = string.Concat(payloads[..^1].Select(p => JsonDocument.Parse(p).RootElement.GetProperty("choices")[0])
            .Where(c => c.GetProperty("delta").TryGetProperty("content", out _))
            .Select(c => c.GetProperty("delta").GetProperty("content").GetString()));
        Assert.Equal("from the stage", content);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ACompletionObserverSeesExactlyWhatTheClientReceived(bool stream)
    {
        var observer = new ObserveFactory();
        await using var test = await TestGateway.StartAsync(WithRoutes, [new CannedFactory(), observer]);

        using var response = await test.PostChatAsync(TestGateway.ChatBody("observed", extra: stream ? ",\"stream\":true" : ""));
        var text = await response.Content.ReadAsStringAsync();
        var exchange = await observer.Completed.Task.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(exchange.Succeeded);
        Assert.Equal("sim/cheap", exchange.Model!.Id);
        Assert.True(exchange.Usage.CompletionTokens > 0);
        if (stream)
        {
            var sent = Sse.Payloads(text)[..^1];
            Assert.Equal(sent, exchange.Events!.Select(e => Encoding.UTF8.GetString(e.Span)));
        }
        else
        {
            Assert.Equal(text, Encoding.UTF8.GetString(exchange.Json.Span));
        }
    }

    private sealed class CannedFactory : StageFactory<Empty>
    {
        public override string Kind => "canned";

        public override StageTermination Termination => StageTermination.Sometimes;

        protected override JsonTypeInfo<Empty> SettingsTypeInfo => StageJson.Default.Empty;

        protected override void Validate(Empty settings, StageBindingContext context)
        {
        }

        protected override IRouteStage Create(Empty settings, StageServices services)
        {
            services.Catalog.TryResolve("sim/cheap", out var model);
            var response = new GatewayResponse
            {
                Json = Encoding.UTF8.GetBytes(Canned),
                Model = model,
                Headers = [new("x-test-stage", "hit")],
            };
            return new Stage("canned", _ => StageOutcome.Respond(response));
        }
    }

    private sealed class ObserveFactory : StageFactory<Empty>
    {
        public TaskCompletionSource<CompletedExchange> Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override string Kind => "observe";

        public override StageTermination Termination => StageTermination.Never;

        protected override JsonTypeInfo<Empty> SettingsTypeInfo => StageJson.Default.Empty;

        protected override void Validate(Empty settings, StageBindingContext context)
        {
        }

        protected override IRouteStage Create(Empty settings, StageServices services) => new Stage("observe", context =>
        {
            context.OnCompleted(exchange =>
            {
                Completed.TrySetResult(exchange);
                return ValueTask.CompletedTask;
            });
            return StageOutcome.Continue;
        });
    }

    private sealed class Stage(string kind, Func<RequestContext, StageOutcome> run) : IRouteStage
    {
        public string Kind => kind;

        public ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken) => new(run(context));
    }
}

public sealed record Empty;

[JsonSerializable(typeof(Empty))]
internal sealed partial class StageJson : JsonSerializerContext;
