using EdgeRouter.Routing.Evaluation;
using EdgeRouter.Routing.Learned;

namespace EdgeRouter.Tests.Evaluation;

public class CombinerFitTests
{
    /// <summary>Rows whose label follows σ(a · logit(p) + b · ln(1 + tokens) + c); the strong model is right exactly on the labelled rows.</summary>
    private static (double[] P, int[] Tokens, bool[] Label, double[] Strong, double[] Weak) Synthetic(int n, double a, double b, double c, int seed)
    {
        var random = new Random(seed);
        var p = new double[n];
        var tokens = new int[n];
        var label = new bool[n];
        var strong = new double[n];
        var weak = new double[n];
        for (var i = 0; i < n; i++)
        {
            p[i] = 0.02 + (0.96 * random.NextDouble());
            tokens[i] = (int)Math.Exp(1 + (6 * random.NextDouble()));
            label[i] = random.NextDouble() < new LearnedCombiner(a, b, c).Combine(p[i], tokens[i]);
            strong[i] = label[i] ? 1 : random.NextDouble() < 0.5 ? 1 : 0;
            weak[i] = label[i] ? 0 : strong[i];
        }

        return (p, tokens, label, strong, weak);
    }

    [Fact]
    public void RecoversKnownCoefficientsAndChoosesTheTokenFeatureWhenItCarriesSignal()
    {
        var (p, tokens, label, strong, weak) = Synthetic(20_000, 0.8, 0.5, -2.5, seed: 3);

        var fit = CombinerFit.Fit(p, tokens, label, strong, weak, new CombinerFitOptions { L2Grid = [0, 1e-2] });

        Assert.True(fit.Chosen.UsesTokens);
        Assert.InRange(fit.Combiner.Head, 0.7, 0.9);
        Assert.InRange(fit.Combiner.LogTokens, 0.4, 0.6);
        Assert.InRange(fit.Combiner.Bias, -3, -2);
        Assert.Equal(4, fit.Candidates.Count);
        Assert.Equal(20_000, fit.Rows);
        var headAlone = fit.Candidates.Where(c => !c.UsesTokens).Max(c => c.MeanApgr);
        Assert.True(fit.Chosen.MeanApgr > headAlone, $"{fit.Chosen.MeanApgr} vs head alone {headAlone}");
    }

    [Fact]
    public void WithoutTheTokenFeatureTheFitIsTheHeadsOwnLogisticAndKeepsItsOrder()
    {
        var (p, tokens, label, strong, weak) = Synthetic(5_000, 1.5, 0, 0.3, seed: 5);
        Array.Fill(tokens, 7); // no length signal at all: the token feature is constant

        var fit = CombinerFit.Fit(p, tokens, label, strong, weak);

        Assert.False(fit.Chosen.UsesTokens);
        Assert.Equal(0, fit.Combiner.LogTokens);
        Assert.InRange(fit.Combiner.Head, 1.3, 1.7);
        var order = Enumerable.Range(0, p.Length).OrderBy(i => p[i]).ToArray();
        for (var k = 1; k < order.Length; k++)
        {
            Assert.True(fit.Combiner.Combine(p[order[k]], 7) >= fit.Combiner.Combine(p[order[k - 1]], 7));
        }
    }

    [Fact]
    public void ThePenaltyShrinksTheWeights()
    {
        var (p, tokens, label, strong, weak) = Synthetic(4_000, 1, 0.6, -3, seed: 8);

        var loose = CombinerFit.Fit(p, tokens, label, strong, weak, new CombinerFitOptions { L2Grid = [0] });
        var tight = CombinerFit.Fit(p, tokens, label, strong, weak, new CombinerFitOptions { L2Grid = [1] });

        Assert.True(Math.Abs(tight.Combiner.Head) < Math.Abs(loose.Combiner.Head));
    }

    [Fact]
    public void RejectsMismatchedInputsAndTooFewRows()
    {
        Assert.Throws<ArgumentException>(() => CombinerFit.Fit([0.5, 0.5], [1], [true, false], [1, 1], [0, 0]));
        Assert.Throws<ArgumentException>(() => CombinerFit.Fit([0.5, 0.4], [1, 2], [true, false], [1, 1], [0, 1]));
        Assert.Throws<ArgumentException>(() => CombinerFit.Fit([double.NaN, 0.4, 0.3, 0.2, 0.1], [1, 2, 3, 4, 5], [true, false, true, false, true], [1, 1, 1, 1, 1], [0, 1, 0, 1, 0], new CombinerFitOptions { Folds = 2 }));
    }
}
