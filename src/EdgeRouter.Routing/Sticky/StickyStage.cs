using System.Text.Json.Serialization.Metadata;
using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;
using EdgeRouter.Routing.Routers;

namespace EdgeRouter.Routing.Sticky;

/// <summary>Settings of a <c>sticky</c> stage.</summary>
public sealed record StickySettings
{
    /// <summary>The request header carrying a conversation id; without it, the conversation's opening messages identify it.</summary>
    public string Header { get; set; } = "x-edgerouter-conversation";

    /// <summary>Seconds a conversation keeps its model after its last request.</summary>
    public int TtlSeconds { get; set; } = 3600;

    /// <summary>Most conversations remembered; the least recently used are forgotten first.</summary>
    public int MaxConversations { get; set; } = 100_000;
}

/// <summary>
/// Sticky conversations: once a conversation has been answered by a model, its later requests are pinned to that
/// model (so tone and context stay consistent) unless a strategy escalated it to a stronger one, which then becomes
/// its model. Place it before the routers: a pinned request skips them.
/// </summary>
public sealed class StickyStage : IRouteStage
{
    private readonly ConversationStore _store;
    private readonly string _header;

    /// <summary>Creates the stage.</summary>
    public StickyStage(ConversationStore store, string header)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _header = header;
    }

    /// <inheritdoc />
    public string Kind => StickyStageFactory.KindName;

    /// <inheritdoc />
    public ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = ConversationKey.Of(context, _header);
        if (key is null)
        {
            context.Trace.Add(Kind, "no conversation");
            return new(StageOutcome.Continue);
        }

        var routing = context.Routing;
        if (_store.TryGet(key, out var modelId) && IndexOf(routing, modelId) is var index and >= 0)
        {
            if (!routing.Pinned)
            {
                routing.Pin(new RouterVote(Kind, Distribution.OneHot(routing.Models.Count, index), index, "conversation stays on its model"));
            }

            context.Trace.Add(Kind, $"conversation on {modelId}");
        }
        else
        {
            context.Trace.Add(Kind, "new conversation");
        }

        routing.OnAnswered(outcome =>
        {
            // A new conversation takes the model that answered it; a known one moves only up (an escalation).
            if (outcome.Model is { } answered
                && (!_store.TryGet(key, out var current) || IndexOf(routing, answered.Id) > IndexOf(routing, current)))
            {
                _store.Set(key, answered.Id);
            }
        });
        return new(StageOutcome.Continue);
    }

    private static int IndexOf(RoutingState routing, string modelId)
    {
        for (var i = 0; i < routing.Models.Count; i++)
        {
            if (routing.Models[i].Id == modelId)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>Factory of <c>sticky</c> stages.</summary>
public sealed class StickyStageFactory : StageFactory<StickySettings>
{
    /// <summary>The <c>kind</c> value.</summary>
    public const string KindName = "sticky";

    /// <inheritdoc />
    public override string Kind => KindName;

    /// <inheritdoc />
    public override StageTermination Termination => StageTermination.Never;

    /// <inheritdoc />
    public override StageRole Role => StageRole.Router;

    /// <inheritdoc />
    protected override JsonTypeInfo<StickySettings> SettingsTypeInfo => RoutingJsonContext.Default.StickySettings;

    /// <inheritdoc />
    protected override void Validate(StickySettings settings, StageBindingContext context)
    {
        context.Errors.Require(settings.Header.Length > 0, $"{context.Path}.header", "must name a header");
        context.Errors.Require(settings.TtlSeconds > 0, $"{context.Path}.ttlSeconds", $"must be > 0, got {settings.TtlSeconds}");
        context.Errors.Require(settings.MaxConversations > 0, $"{context.Path}.maxConversations", $"must be > 0, got {settings.MaxConversations}");
        RouterSettings.RequireRouteModels(context, context.Path, 1);
    }

    /// <inheritdoc />
    protected override IRouteStage Create(StickySettings settings, StageServices services) =>
        new StickyStage(new ConversationStore(services.Get<TimeProvider>() ?? TimeProvider.System, TimeSpan.FromSeconds(settings.TtlSeconds),
            settings.MaxConversations), settings.Header);
}
