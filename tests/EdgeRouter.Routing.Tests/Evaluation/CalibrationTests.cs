using EdgeRouter.Routing.Evaluation;

namespace EdgeRouter.Tests.Evaluation;

public class CalibrationTests
{
    [Fact]
    public void ThresholdSendsTheTargetShareAndIsTheShortestDecimalBetweenTheCutScores()
    {
        double[] scores = [0.91, 0.82, 0.73, 0.64, 0.55, 0.46, 0.37, 0.28, 0.19, 0.1];

        var choice = ThresholdCalibration.ForStrongShare(scores, 0.3);

        Assert.Equal(3, choice.StrongCalls);
        Assert.Equal(0.3, choice.AchievedShare, 12);
        Assert.Equal(0.7, choice.Threshold);
        Assert.Equal(3, scores.Count(s => s > choice.Threshold));
        Assert.Equal(3, scores.Count(s => s >= choice.Threshold));
    }

    [Fact]
    public void TiedScoresMoveTheShareToTheNearestBoundary()
    {
        double[] scores = [0.5, 0.5, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];

        var choice = ThresholdCalibration.ForStrongShare(scores, 0.3);

        Assert.Equal(4, choice.StrongCalls);
        Assert.Equal(4, scores.Count(s => s > choice.Threshold));
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(1.0, 4)]
    public void ExtremeSharesRouteNothingOrEverything(double share, int expected)
    {
        double[] scores = [1, 0.5, 0.25, 0];

        var choice = ThresholdCalibration.ForStrongShare(scores, share);

        Assert.Equal(expected, choice.StrongCalls);
        Assert.Equal(expected, scores.Count(s => s > choice.Threshold));
    }

    [Fact]
    public void ThresholdRejectsABadShare()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ThresholdCalibration.ForStrongShare([0.5], 1.5));
        Assert.Throws<ArgumentException>(() => ThresholdCalibration.ForStrongShare([], 0.5));
    }

    [Fact]
    public void QualityCalibrationRecoversAKnownLogisticAndRoundTripsThroughJson()
    {
        var random = new Random(9);
        var p = new double[20_000];
        var correct = new bool[p.Length];
        for (var i = 0; i < p.Length; i++)
        {
            p[i] = random.NextDouble();
            correct[i] = random.NextDouble() < 1 / (1 + Math.Exp(-(2.0 - 3.0 * p[i])));
        }

        var weak = ModelQualityCalibration.Fit("weak", p, correct);
        var calibration = new QualityCalibration { Source = "synthetic", Rows = p.Length, Strong = weak with { Model = "strong" }, Weak = weak };

        Assert.InRange(weak.Intercept, 1.8, 2.2);
        Assert.InRange(weak.Slope, -3.4, -2.6);
        // With an intercept, maximum likelihood matches the mean prediction to the observed accuracy.
        Assert.Equal(weak.Accuracy, p.Average(weak.Predict), 6);
        Assert.Equal(calibration, QualityCalibration.FromJson(calibration.ToJson()));
    }
}
