using EdgeRouter.Routing.Intent;

namespace EdgeRouter.Tests.Intent;

public class IntentFitterTests
{
    private static LabeledScores S(float a, float b, int? label) => new([a, b], label);

    [Fact]
    public void TheFittedThresholdIsTheLowestThatKeepsTheTargetPrecision()
    {
        // Intent 0 scores: 0.95 (yes), 0.9 (yes), 0.85 (no: out of scope), 0.8 (yes), 0.7 (no).
        LabeledScores[] samples = [S(0.95f, 0.1f, 0), S(0.9f, 0.1f, 0), S(0.85f, 0.1f, null), S(0.8f, 0.1f, 0), S(0.7f, 0.1f, null)];

        var fit = IntentFitter.Fit(["a", "b"], [0.5, 0.5], samples, targetPrecision: 0.75)[0];

        Assert.Equal(0.8, fit.Fitted.Threshold, 5); // 3 of 4 right at 0.8; 3 of 5 at 0.7
        Assert.Equal(0.75, fit.Fitted.Precision, 9);
        Assert.Equal(1.0, fit.Fitted.Recall, 9);
        Assert.True(fit.MetTarget);
        Assert.Equal(0.6, fit.Current.Precision, 9); // at 0.5 everything is recognised
    }

    [Fact]
    public void AStricterTargetRaisesTheThreshold()
    {
        LabeledScores[] samples = [S(0.95f, 0.1f, 0), S(0.9f, 0.1f, 0), S(0.85f, 0.1f, null), S(0.8f, 0.1f, 0)];

        var fit = IntentFitter.Fit(["a", "b"], [0.5, 0.5], samples, targetPrecision: 1.0)[0];

        Assert.Equal(0.9, fit.Fitted.Threshold, 5);
        Assert.Equal(2.0 / 3, fit.Fitted.Recall, 9);
    }

    [Fact]
    public void WhenNoThresholdReachesTheTargetTheBestF1IsKept()
    {
        LabeledScores[] samples = [S(0.9f, 0.1f, null), S(0.8f, 0.1f, 0), S(0.7f, 0.1f, null)];

        var fit = IntentFitter.Fit(["a", "b"], [0.95, 0.5], samples, targetPrecision: 0.9)[0];

        Assert.False(fit.MetTarget);
        Assert.Equal(0.8, fit.Fitted.Threshold, 5);
        Assert.Equal(0.5, fit.Fitted.Precision, 9);
    }

    [Fact]
    public void PromptsWhoseBestIntentIsAnotherCountAgainstRecallOnly()
    {
        LabeledScores[] samples = [S(0.9f, 0.1f, 0), S(0.6f, 0.7f, 0), S(0.2f, 0.8f, 1)];

        var fits = IntentFitter.Fit(["a", "b"], [0.5, 0.5], samples, targetPrecision: 0.9);

        Assert.Equal(0.5, fits[0].Fitted.Recall, 9);
        Assert.Equal(1.0, fits[0].Fitted.Precision, 9);
        Assert.Equal(0.5, fits[1].Current.Precision, 9); // b is the best intent of one b prompt and one a prompt
        Assert.Equal(0.8, fits[1].Fitted.Threshold, 5);
        Assert.Equal(1.0, fits[1].Fitted.Precision, 9);
    }
}
