using EdgeRouter.Configuration;
using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;
using EdgeRouter.Routing.Mixture;
using EdgeRouter.Routing.Routers;
using EdgeRouter.Tests.Routers;

namespace EdgeRouter.Tests.Mixture;

public class MixtureRouterTests
{
    private static readonly IReadOnlyList<ModelTarget> Two = RoutingKit.Models("cheap", "strong");

    private static MixtureRouter Mixture(float accuracyStrong = 0.9f, float costStrong = 0.1f, double floor = 0.0, MixtureFeedback? feedback = null,
        MixtureClasses? classes = null) =>
        new([new FixedRouter("accuracy", accuracyStrong), new FixedRouter("cost", costStrong)],
            new Dictionary<string, double[]>
            {
                ["default"] = [0.5, 0.5],
                ["quality"] = [0.9, 0.1],
                ["cost"] = [0.1, 0.9],
            },
            classes ?? new MixtureClasses { Tenants = new Dictionary<string, string> { ["acme"] = "quality" } },
            floor,
            feedback ?? new MixtureFeedback());

    private static RouterVote Route(MixtureRouter mixture, RequestContext context) =>
        mixture.Route(context, PromptFeatures.Of(context), "mor");

    [Fact]
    public void CombinesMembersAsAWeightedSumOfTheirDistributions()
    {
        var context = RoutingKit.Context("q", Two);

        var vote = Route(Mixture(0.9f, 0.3f), context);

        Assert.Equal(0.4f, vote.Distribution[0], 5); // 0.5·0.1 + 0.5·0.7
        Assert.Equal(0.6f, vote.Distribution[1], 5);
        Assert.Equal("p/strong", context.Routing.Chosen!.Id);
        Assert.Equal(3, context.Routing.Votes.Count); // two members, then the mixture
        Assert.True(context.Routing.Votes[^1].Mixture);
    }

    [Fact]
    public void ThePriorityHeaderPicksTheWeightsAndBeatsTheTenantsClass()
    {
        var headers = new Dictionary<string, string> { ["x-edgerouter-priority"] = "cost" };
        var context = RoutingKit.Context("q", Two, tenant: "acme", headers: headers);

        var vote = Route(Mixture(), context);

        Assert.StartsWith("class cost", vote.Reason, StringComparison.Ordinal);
        Assert.Equal("p/cheap", context.Routing.Chosen!.Id);
    }

    [Fact]
    public void TheTenantsSlaPicksTheWeightsWhenNoHeaderDoes()
    {
        var context = RoutingKit.Context("q", Two, tenant: "acme");

        var vote = Route(Mixture(), context);

        Assert.StartsWith("class quality", vote.Reason, StringComparison.Ordinal);
        Assert.Equal(0.9f, vote.Weights!.Single(w => w.Key == "accuracy").Value);
        Assert.Equal("p/strong", context.Routing.Chosen!.Id);
    }

    [Fact]
    public void TheIntentPicksTheWeightsWhenNeitherHeaderNorTenantDoes()
    {
        var classes = new MixtureClasses { Intents = new Dictionary<string, string> { ["smalltalk"] = "cost" } };
        var context = RoutingKit.Context("q", Two);
        context.Routing.Intent = "smalltalk";

        var vote = Route(Mixture(classes: classes), context);

        Assert.StartsWith("class cost", vote.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ANearTieEscalatesToTheStrongerModel()
    {
        var context = RoutingKit.Context("q", Two);

        Route(Mixture(0.48f, 0.48f, floor: 0.1), context); // P = 0.52 cheap / 0.48 strong

        Assert.Equal("p/strong", context.Routing.Chosen!.Id);
        Assert.Contains("near tie", Assert.Single(context.Routing.Escalations), StringComparison.Ordinal);
    }

    [Fact]
    public void AClearWinnerIsNotEscalated()
    {
        var context = RoutingKit.Context("q", Two);

        Route(Mixture(0.2f, 0.1f, floor: 0.1), context);

        Assert.Equal("p/cheap", context.Routing.Chosen!.Id);
        Assert.Empty(context.Routing.Escalations);
    }

    [Fact]
    public void ARouterThatKeepsDisagreeingWithOutcomesIsCutUntilItRecovers()
    {
        var feedback = new MixtureFeedback { Alpha = 0.2, MinAgreement = 0.5, RecoverAt = 0.6, Cut = 0.2, MinSamples = 5 };
        var mixture = Mixture(0.9f, 0.1f, feedback: feedback);
        var accuracy = mixture.Agreement[0];
        var cost = mixture.Agreement[1];

        // Priority cost: cheap is chosen; its answers keep failing verification, so the cost router (which picked cheap) was wrong.
        for (var i = 0; i < 10; i++)
        {
            var context = RoutingKit.Context("q", Two, headers: new Dictionary<string, string> { ["x-edgerouter-priority"] = "cost" });
            Route(mixture, context);
            Assert.Equal("p/cheap", context.Routing.Chosen!.Id);
            context.Routing.NotifyAnswered(new RoutingOutcome(Two[1], true, FirstChoiceAcceptable: false, Escalated: true, 10));
        }

        Assert.True(cost.IsCut);
        Assert.False(accuracy.IsCut);
        var cut = RoutingKit.Context("q", Two);
        Assert.Equal(0.1f, Route(mixture, cut).Weights!.Single(w => w.Key == "cost").Value, 5); // 0.5 · 0.2

        // The cheap model starts passing when chosen: the cost router agrees again and gets its weight back.
        for (var i = 0; i < 15 && cost.IsCut; i++)
        {
            var context = RoutingKit.Context("q", Two, headers: new Dictionary<string, string> { ["x-edgerouter-priority"] = "cost" });
            Route(mixture, context);
            context.Routing.NotifyAnswered(new RoutingOutcome(Two[0], true, FirstChoiceAcceptable: true, Escalated: false, 10));
        }

        Assert.False(cost.IsCut);
    }

    [Fact]
    public void UnverifiedOutcomesTeachNothing()
    {
        var mixture = Mixture(feedback: new MixtureFeedback { MinSamples = 1, Alpha = 1 });
        var context = RoutingKit.Context("q", Two);
        Route(mixture, context);

        context.Routing.NotifyAnswered(new RoutingOutcome(Two[0], true, FirstChoiceAcceptable: null, Escalated: false, 10));

        Assert.Equal(1.0, mixture.Agreement[0].Agreement);
        Assert.Equal(1.0, mixture.Agreement[1].Agreement);
    }

    /// <summary>A router with a fixed distribution: <c>strong</c> on the last model, the rest on the first.</summary>
    private sealed class FixedRouter(string name, float strong) : IRouter
    {
        public string Name => name;

        public RouterVote Vote(RequestContext context, PromptFeatures features, IReadOnlyList<ModelTarget> models)
        {
            var p = new float[models.Count];
            p[0] = 1 - strong;
            p[^1] += strong;
            return new RouterVote(name, p, Distribution.ArgMax(p), $"fixed {strong}");
        }
    }
}
