using EdgeRouter.Configuration;
using EdgeRouter.Dispatch.Forwarding;
using EdgeRouter.Dispatch.Strategies;

namespace EdgeRouter.Tests.Verification;

/// <summary>Completions to verify, without an upstream.</summary>
internal static class TestAnswers
{
    public static readonly ModelTarget Model = new("p/cheap", "p", new ModelConfig { Name = "cheap" });

    public static Completion Answer(string? content, string finishReason = "stop", string? refusal = null, bool toolCalls = false) => new()
    {
        Outcome = UpstreamOutcome.Success,
        StatusCode = 200,
        Model = Model,
        Content = content,
        Refusal = refusal,
        FinishReason = finishReason,
        HasToolCalls = toolCalls,
    };
}
