using System.Text;
using EdgeRouter.Cache.Stage;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;
using EdgeRouter.Protocol;
using Microsoft.AspNetCore.Http;

namespace EdgeRouter.Cache.Tests.Stage;

public sealed class CacheStageTests : IDisposable
{
    private const string Question = """{"model":"auto","messages":[{"role":"user","content":"How do I reset my password?"}]}""";
    private const string Paraphrase = """{"model":"auto","messages":[{"role":"user","content":"how can I reset my password"}]}""";
    private const string Answer = """{"id":"chatcmpl-1","object":"chat.completion","choices":[{"message":{"role":"assistant","content":"Click Forgot."}}]}""";

    private static readonly ModelCatalog Catalog = new([new ProviderConfig { Name = "p", Models = [new ModelConfig { Name = "cheap" }] }]);
    private static readonly ModelTarget Cheap = Catalog.All[0];

    private readonly MemoryCacheStore _store = new();
    private readonly SemanticCache _cache;
    private readonly FakeEncoder _encoder = new();

    public CacheStageTests()
    {
        _cache = new SemanticCache(new SemanticCacheOptions { Dimensions = TestEntries.Dimensions }, _store, TimeProvider.System);
        _encoder.Vectors["How do I reset my password?"] = TestEntries.Axis(0);
        _encoder.Vectors["how can I reset my password"] = TestEntries.AtCosine(0, 0.95f, 1);
    }

    public void Dispose() => _cache.Dispose();

    private CacheStage Stage(CacheStageSettings? settings = null) => new(settings ?? new CacheStageSettings(), _cache, _encoder, Catalog, defaultTtlSeconds: 3600);

    private static RequestContext Context(string body, string tenant = RequestContext.DefaultTenant, string route = "auto", string? cacheHeader = null)
    {
        var headers = new HeaderDictionary();
        if (cacheHeader is not null)
        {
            headers[GatewayHeaders.Cache] = cacheHeader;
        }

        return new RequestContext("req", route, RequestFingerprintTests.Parse(body), headers) { Tenant = tenant };
    }

    private static CompletedExchange Answered(string json = Answer) => new()
    {
        Succeeded = true,
        StatusCode = 200,
        Model = Cheap,
        Json = Encoding.UTF8.GetBytes(json),
        Usage = new TokenUsage(11, 7),
        CostUsd = 0.001m,
    };

    /// <summary>Runs the stage for a request that misses, then completes it with <paramref name="exchange"/>.</summary>
    private async Task AnswerAsync(CacheStage stage, string body, string tenant = RequestContext.DefaultTenant, CompletedExchange? exchange = null)
    {
        var context = Context(body, tenant);
        var outcome = await stage.InvokeAsync(context, default);
        Assert.Equal(StageOutcomeKind.Continue, outcome.Kind);
        await context.NotifyCompletedAsync(exchange ?? Answered());
    }

    private static string Header(IReadOnlyList<KeyValuePair<string, string>> headers) =>
        Assert.Single(headers, h => h.Key == GatewayHeaders.Cache).Value;

    [Fact]
    public async Task AMissIsRecordedAndTheSameRequestIsThenAnsweredFromTheCache()
    {
        var stage = Stage();
        var first = Context(Question);

        var miss = await stage.InvokeAsync(first, default);

        Assert.Equal(StageOutcomeKind.Continue, miss.Kind);
        Assert.True(first.CaptureResponse);
        Assert.Equal("miss", Header(first.ResponseHeaders));
        Assert.Equal("cache: miss", first.Trace.ToString());
        await first.NotifyCompletedAsync(Answered());
        Assert.Equal(1, _encoder.Calls);

        var second = Context("""{ "messages": [ {"role":"user","content":"how do i  RESET my password?"} ], "model": "auto" }""");
        var hit = await stage.InvokeAsync(second, default);

        Assert.Equal(StageOutcomeKind.Respond, hit.Kind);
        Assert.Equal(1, _encoder.Calls); // an exact hit is answered without embedding the prompt
        var response = hit.Response!;
        Assert.Equal(Answer, Encoding.UTF8.GetString(response.Json.Span));
        Assert.Null(response.Events);
        Assert.Same(Cheap, response.Model);
        Assert.Equal(new TokenUsage(11, 7), response.Usage);
        var entry = Assert.Single(_store.ReadAll(out _));
        Assert.Equal($"hit; similarity=1.000; id={entry.Id:N}", Header(response.Headers));
        Assert.Equal($"cache: exact hit {entry.Id} similarity 1.000", second.Trace.ToString());
        Assert.False(second.CaptureResponse);
        Assert.Equal(0.001m, entry.CostUsd);
        Assert.Equal(3600, entry.TtlSeconds);
    }

    [Fact]
    public async Task AParaphraseAboveTheThresholdIsASemanticHit()
    {
        var stage = Stage(new CacheStageSettings { Threshold = 0.9, Tags = ["faq"] });
        await AnswerAsync(stage, Question);

        var context = Context(Paraphrase);
        var outcome = await stage.InvokeAsync(context, default);

        Assert.Equal(StageOutcomeKind.Respond, outcome.Kind);
        Assert.StartsWith("hit; similarity=0.950; id=", Header(outcome.Response!.Headers), StringComparison.Ordinal);
        Assert.StartsWith("cache: semantic hit", context.Trace.ToString(), StringComparison.Ordinal);
        Assert.Equal(["faq"], Assert.Single(_store.ReadAll(out _)).Tags);
    }

    [Fact]
    public async Task ATenantThresholdOverridesTheRoutes()
    {
        var stage = Stage(new CacheStageSettings { Threshold = 0.9, TenantThresholds = new Dictionary<string, double> { ["strict"] = 0.99 } });
        await AnswerAsync(stage, Question, tenant: "strict");
        await AnswerAsync(stage, Question, tenant: "loose");

        var strict = Context(Paraphrase, tenant: "strict");
        Assert.Equal(StageOutcomeKind.Continue, (await stage.InvokeAsync(strict, default)).Kind);
        Assert.Equal(StageOutcomeKind.Respond, (await stage.InvokeAsync(Context(Paraphrase, tenant: "loose"), default)).Kind);
    }

    [Fact]
    public async Task AnAnswerRecordedForOneTenantIsNotServedToAnother()
    {
        var stage = Stage();
        await AnswerAsync(stage, Question, tenant: "a");

        Assert.Equal(StageOutcomeKind.Continue, (await stage.InvokeAsync(Context(Question, tenant: "b"), default)).Kind);
        Assert.Equal(StageOutcomeKind.Continue, (await stage.InvokeAsync(Context(Paraphrase, tenant: "b"), default)).Kind);
        Assert.Equal(StageOutcomeKind.Continue, (await stage.InvokeAsync(Context(Question, tenant: "a", route: "other"), default)).Kind);
        Assert.Equal(StageOutcomeKind.Respond, (await stage.InvokeAsync(Context(Question, tenant: "a"), default)).Kind);
    }

    [Fact]
    public async Task WithoutSemanticLookupOnlyTheExactRequestHits()
    {
        var stage = Stage(new CacheStageSettings { Semantic = false });
        await AnswerAsync(stage, Question);

        Assert.Equal(StageOutcomeKind.Continue, (await stage.InvokeAsync(Context(Paraphrase), default)).Kind);
        Assert.Equal(StageOutcomeKind.Respond, (await stage.InvokeAsync(Context(Question), default)).Kind);
        Assert.Empty(Assert.Single(_store.ReadAll(out _)).Embedding);
        Assert.Equal(0, _encoder.Calls);
    }

    [Fact]
    public async Task AStreamedAnswerIsRecordedAndReplayedAsEvents()
    {
        var stage = Stage();
        byte[][] events = ["""{"choices":[{"delta":{"content":"Click"}}]}"""u8.ToArray(), """{"choices":[{"delta":{"content":" Forgot."}}]}"""u8.ToArray()];
        await AnswerAsync(stage, Question, exchange: new CompletedExchange
        {
            Succeeded = true,
            StatusCode = 200,
            Model = Cheap,
            Streamed = true,
            Events = [.. events.Select(e => (ReadOnlyMemory<byte>)e)],
        });

        var outcome = await stage.InvokeAsync(Context(Question), default);

        var replayed = outcome.Response!.Events!;
        Assert.Equal(2, replayed.Count);
        Assert.Equal(events[0], replayed[0].ToArray());
        Assert.Equal(events[1], replayed[1].ToArray());
        Assert.True(outcome.Response.Json.IsEmpty);
    }

    [Fact]
    public async Task AFailedOrEmptyAnswerIsNotRecorded()
    {
        var stage = Stage();
        await AnswerAsync(stage, Question, exchange: new CompletedExchange { Succeeded = false, StatusCode = 502, Model = Cheap, Json = "{}"u8.ToArray() });
        await AnswerAsync(stage, Question, exchange: new CompletedExchange { Succeeded = true, StatusCode = 200, Model = Cheap });
        await AnswerAsync(stage, Question, exchange: new CompletedExchange { Succeeded = true, StatusCode = 200, Json = "{}"u8.ToArray() });

        Assert.Empty(_store.ReadAll(out _));
        Assert.Equal(0, _cache.Stats.Entries);
    }

    [Fact]
    public async Task TheBypassHeaderSkipsTheCacheEntirely()
    {
        var stage = Stage();
        await AnswerAsync(stage, Question);
        var context = Context(Question, cacheHeader: "OFF");

        var outcome = await stage.InvokeAsync(context, default);

        Assert.Equal(StageOutcomeKind.Continue, outcome.Kind);
        Assert.False(context.CaptureResponse);
        Assert.Equal("bypass; reason=header", Header(context.ResponseHeaders));
        Assert.Equal("cache: bypass; reason=header", context.Trace.ToString());
    }

    [Fact]
    public async Task MetadataCacheFalseSkipsTheCacheEntirely()
    {
        var stage = Stage();
        await AnswerAsync(stage, Question);
        var context = Context("""{"model":"auto","metadata":{"cache":false},"messages":[{"role":"user","content":"How do I reset my password?"}]}""");

        var outcome = await stage.InvokeAsync(context, default);

        Assert.Equal(StageOutcomeKind.Continue, outcome.Kind);
        Assert.False(context.CaptureResponse);
        Assert.Equal("bypass; reason=metadata", Header(context.ResponseHeaders));
    }

    [Theory]
    [InlineData("""{"model":"auto","tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"Hi"}]}""", "tools")]
    [InlineData("""{"model":"auto","n":2,"messages":[{"role":"user","content":"Hi"}]}""", "n")]
    [InlineData("""{"model":"auto","temperature":1.5,"messages":[{"role":"user","content":"Hi"}]}""", "temperature")]
    public async Task RequestsThatAreNotCacheableAreSkipped(string body, string reason)
    {
        var context = Context(body);

        var outcome = await Stage().InvokeAsync(context, default);

        Assert.Equal(StageOutcomeKind.Continue, outcome.Kind);
        Assert.False(context.CaptureResponse);
        Assert.Equal("skip; reason=" + reason, Header(context.ResponseHeaders));
        Assert.Equal(0, _cache.Stats.Misses);
    }

    [Theory]
    [InlineData("""{"model":"auto","tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"Hi"}]}""")]
    [InlineData("""{"model":"auto","n":2,"messages":[{"role":"user","content":"Hi"}]}""")]
    [InlineData("""{"model":"auto","temperature":1.5,"messages":[{"role":"user","content":"Hi"}]}""")]
    public async Task ARouteCanAllowToolsSeveralChoicesAndHigherTemperatures(string body)
    {
        var stage = Stage(new CacheStageSettings { CacheTools = true, CacheMultipleChoices = true, MaxTemperature = 2 });
        var context = Context(body);

        await stage.InvokeAsync(context, default);
        await context.NotifyCompletedAsync(Answered());
        var outcome = await stage.InvokeAsync(Context(body), default);

        Assert.Equal("miss", Header(context.ResponseHeaders));
        Assert.Equal(StageOutcomeKind.Respond, outcome.Kind);
    }

    [Fact]
    public async Task ATemperatureAtTheBoundIsCached()
    {
        var context = Context("""{"model":"auto","temperature":1.0,"messages":[{"role":"user","content":"Hi"}]}""");

        await Stage().InvokeAsync(context, default);

        Assert.Equal("miss", Header(context.ResponseHeaders));
        Assert.True(context.CaptureResponse);
    }

    private sealed class FakeEncoder : ITextEncoder
    {
        public Dictionary<string, float[]> Vectors { get; } = [];

        public int Calls { get; private set; }

        public string Name => "fake";

        public int Dimensions => TestEntries.Dimensions;

        public int MaxTokens => 512;

        public int Encode(ReadOnlySpan<char> text, Span<float> embedding)
        {
            Calls++;
            var vector = Vectors.TryGetValue(text.ToString(), out var known) ? known : TestEntries.Axis(TestEntries.Dimensions - 1);
            vector.CopyTo(embedding);
            return text.Length;
        }
    }
}
