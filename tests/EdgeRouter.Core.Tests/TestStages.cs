using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Tests;

/// <summary>Stage kinds for exercising the pipeline contract without the routing assembly.</summary>
internal static class TestStages
{
    public static StageRegistry Registry { get; } = new([new PickFactory(), new NoteFactory()]);

    public sealed record PickSettings
    {
        public string Target { get; set; } = "";
    }

    public sealed record NoteSettings
    {
        public string Text { get; set; } = "";
    }

    /// <summary><c>pick</c>: always decides for one model.</summary>
    public sealed class PickFactory : StageFactory<PickSettings>
    {
        public override string Kind => "pick";

        public override StageTermination Termination => StageTermination.Always;

        protected override JsonTypeInfo<PickSettings> SettingsTypeInfo => TestJsonContext.Default.PickSettings;

        protected override void Validate(PickSettings settings, StageBindingContext context) =>
            ConfigValidator.RequireChatModel(settings.Target, $"{context.Path}.target", context.Catalog, context.Errors);

        protected override IRouteStage Create(PickSettings settings, StageServices services)
        {
            services.Catalog.TryResolve(settings.Target, out var target);
            return new DelegateStage("pick", _ => StageOutcome.Decide(new RoutingDecision([target!], "pick")));
        }
    }

    /// <summary><c>note</c>: adds a trace entry and continues.</summary>
    public sealed class NoteFactory : StageFactory<NoteSettings>
    {
        public override string Kind => "note";

        public override StageTermination Termination => StageTermination.Never;

        protected override JsonTypeInfo<NoteSettings> SettingsTypeInfo => TestJsonContext.Default.NoteSettings;

        protected override void Validate(NoteSettings settings, StageBindingContext context) =>
            context.Errors.Require(settings.Text.Length > 0, $"{context.Path}.text", "must not be empty");

        protected override IRouteStage Create(NoteSettings settings, StageServices services) =>
            new DelegateStage("note", ctx =>
            {
                ctx.Trace.Add("note", settings.Text);
                return StageOutcome.Continue;
            });
    }

    public sealed class DelegateStage(string kind, Func<RequestContext, StageOutcome> run) : IRouteStage
    {
        public string Kind => kind;

        public ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken) => new(run(context));
    }

    public sealed class AsyncStage(string kind, Func<RequestContext, StageOutcome> run) : IRouteStage
    {
        public string Kind => kind;

        public async ValueTask<StageOutcome> InvokeAsync(RequestContext context, CancellationToken cancellationToken)
        {
            await Task.Yield();
            return run(context);
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(TestStages.PickSettings))]
[JsonSerializable(typeof(TestStages.NoteSettings))]
internal sealed partial class TestJsonContext : JsonSerializerContext;
