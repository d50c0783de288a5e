using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;
using EdgeRouter.Routing.Sticky;
using EdgeRouter.Tests.Routers;

namespace EdgeRouter.Tests.Sticky;

public class StickyStageTests
{
    private sealed class ManualTime : TimeProvider
    {
        public long Ticks { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Ticks;
    }

    private readonly ManualTime _time = new();

    private StickyStage Stage(int ttlSeconds = 60, int max = 1000) =>
        new(new ConversationStore(_time, TimeSpan.FromSeconds(ttlSeconds), max), "x-edgerouter-conversation");

    private const string FirstTurn = """[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]""";
    private const string SecondTurn = """[{"role":"system","content":"be brief"},{"role":"user","content":"hi"},{"role":"assistant","content":"hello"},{"role":"user","content":"more"}]""";

    private static RequestContext Turn(string messages, string tenant = "default", Dictionary<string, string>? headers = null) =>
        RoutingKit.Context("", messagesJson: messages, tenant: tenant, headers: headers);

    private static void Answer(RequestContext context, int model) =>
        context.Routing.NotifyAnswered(new RoutingOutcome(context.Routing.Models[model], true, null, false, 5));

    [Fact]
    public void ALaterTurnStaysOnTheModelThatAnsweredTheFirst()
    {
        var stage = Stage();
        var first = Turn(FirstTurn);
        stage.InvokeAsync(first, default);
        Assert.False(first.Routing.Pinned);
        Answer(first, 1);

        var second = Turn(SecondTurn);
        stage.InvokeAsync(second, default);

        Assert.True(second.Routing.Pinned);
        Assert.Equal("p/mid", second.Routing.Chosen!.Id);
    }

    [Fact]
    public void AnEscalationMovesTheConversationUpButNeverDown()
    {
        var stage = Stage();
        var first = Turn(FirstTurn);
        stage.InvokeAsync(first, default);
        Answer(first, 1);

        var escalated = Turn(SecondTurn);
        stage.InvokeAsync(escalated, default);
        Answer(escalated, 2);
        var cheaper = Turn(SecondTurn);
        stage.InvokeAsync(cheaper, default);
        Answer(cheaper, 0);

        var next = Turn(SecondTurn);
        stage.InvokeAsync(next, default);
        Assert.Equal("p/strong", next.Routing.Chosen!.Id);
    }

    [Fact]
    public void ConversationsExpireAfterTheirTtlAndNeverCrossTenants()
    {
        var stage = Stage(ttlSeconds: 60);
        var first = Turn(FirstTurn, tenant: "a");
        stage.InvokeAsync(first, default);
        Answer(first, 2);

        var otherTenant = Turn(SecondTurn, tenant: "b");
        stage.InvokeAsync(otherTenant, default);
        Assert.False(otherTenant.Routing.Pinned);

        _time.Ticks += TimeSpan.FromSeconds(61).Ticks;
        var late = Turn(SecondTurn, tenant: "a");
        stage.InvokeAsync(late, default);
        Assert.False(late.Routing.Pinned);
    }

    [Fact]
    public void TheConversationHeaderIdentifiesConversationsWithDifferentOpenings()
    {
        var stage = Stage();
        var headers = new Dictionary<string, string> { ["x-edgerouter-conversation"] = "c-42" };
        var first = Turn(FirstTurn, headers: headers);
        stage.InvokeAsync(first, default);
        Answer(first, 2);

        var other = Turn("""[{"role":"user","content":"something else"}]""", headers: headers);
        stage.InvokeAsync(other, default);

        Assert.Equal("p/strong", other.Routing.Chosen!.Id);
    }

    [Fact]
    public void TheOpeningHashIgnoresLaterTurnsButNotTheOpening()
    {
        var body = System.Text.Encoding.UTF8.GetBytes($$"""{"messages":{{FirstTurn}}}""");
        var grown = System.Text.Encoding.UTF8.GetBytes($$"""{"model":"m","messages":{{SecondTurn}}}""");
        var other = System.Text.Encoding.UTF8.GetBytes("""{"messages":[{"role":"user","content":"hi!"}]}""");

        Assert.Equal(ConversationKey.OpeningHash(body), ConversationKey.OpeningHash(grown));
        Assert.NotEqual(ConversationKey.OpeningHash(body), ConversationKey.OpeningHash(other));
        Assert.Null(ConversationKey.OpeningHash("""{"messages":[{"role":"system","content":"x"}]}"""u8));
    }

    [Fact]
    public void TheStoreForgetsTheLeastRecentlyUsedBeyondItsCap()
    {
        var store = new ConversationStore(_time, TimeSpan.FromHours(1), capacity: 10);
        for (var i = 0; i < 11; i++)
        {
            _time.Ticks += 1;
            store.Set($"k{i}", "m");
        }

        Assert.True(store.Count <= 10);
        Assert.False(store.TryGet("k0", out _));
        Assert.True(store.TryGet("k10", out _));
    }
}
