using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;
using EdgeRouter.Protocol;
using Microsoft.AspNetCore.Http;

namespace EdgeRouter.Tests.Pipeline;

public class RouteRuntimeTests
{
    private static readonly ModelTarget Cheap = new("p/cheap", "p", new ModelConfig { Name = "cheap" });
    private static readonly ModelTarget Strong = new("p/strong", "p", new ModelConfig { Name = "strong" });

    private static RequestContext Context()
    {
        var request = ChatRequestParser.Parse("""{"model":"auto","messages":[{"role":"user","content":"x"}]}"""u8.ToArray(), out _)!;
        return new RequestContext("req", "auto", request, new HeaderDictionary());
    }

    private static TestStages.DelegateStage Note(string text) => new("note", ctx =>
    {
        ctx.Trace.Add("note", text);
        return StageOutcome.Continue;
    });

    private static TestStages.DelegateStage Decide(ModelTarget target) =>
        new("pick", _ => StageOutcome.Decide(new RoutingDecision([target], $"pick {target.Id}")));

    [Fact]
    public async Task StagesRunInOrderUntilOneDecides()
    {
        var route = new RouteRuntime("auto", null, [Note("a"), Decide(Cheap), Note("never")], [], isImplicit: false);
        var context = Context();

        var outcome = await route.RunAsync(context, default);

        Assert.Equal(StageOutcomeKind.Decide, outcome.Kind);
        Assert.Same(Cheap, outcome.Decision!.Candidates[0]);
        Assert.Equal("note: a", context.Trace.ToString());
    }

    [Fact]
    public async Task AsynchronousStagesContinueThePipeline()
    {
        var route = new RouteRuntime("auto", null,
            [new TestStages.AsyncStage("slow", ctx => { ctx.Trace.Add("slow", "1"); return StageOutcome.Continue; }), Note("b"), Decide(Strong)],
            [], isImplicit: false);
        var context = Context();

        var outcome = await route.RunAsync(context, default);

        Assert.Same(Strong, outcome.Decision!.Candidates[0]);
        Assert.Equal("slow: 1; note: b", context.Trace.ToString());
    }

    [Fact]
    public async Task AResponseEndsThePipeline()
    {
        var response = new GatewayResponse { Json = "{}"u8.ToArray() };
        var route = new RouteRuntime("auto", null, [new TestStages.DelegateStage("cache", _ => StageOutcome.Respond(response)), Decide(Cheap)], [], false);

        var outcome = await route.RunAsync(Context(), default);

        Assert.Equal(StageOutcomeKind.Respond, outcome.Kind);
        Assert.Same(response, outcome.Response);
    }

    [Fact]
    public void FallbackModelsFollowTheDecisionWithoutDuplicates()
    {
        var route = new RouteRuntime("auto", null, [Decide(Cheap)], [Strong, Cheap], false);

        var candidates = route.Candidates(new RoutingDecision([Cheap], "x"));

        Assert.Equal([Cheap, Strong], candidates);
    }

    [Fact]
    public async Task CompletionObserversAllRunEvenWhenOneFails()
    {
        var context = Context();
        var seen = new List<int>();
        context.OnCompleted(_ => throw new InvalidOperationException("boom"));
        context.OnCompleted(exchange => { seen.Add(exchange.StatusCode); return ValueTask.CompletedTask; });

        var error = await Assert.ThrowsAsync<AggregateException>(async () =>
            await context.NotifyCompletedAsync(new CompletedExchange { Succeeded = true, StatusCode = 200 }));

        Assert.True(context.CaptureResponse);
        Assert.Equal([200], seen);
        Assert.IsType<InvalidOperationException>(Assert.Single(error.InnerExceptions));
    }
}
