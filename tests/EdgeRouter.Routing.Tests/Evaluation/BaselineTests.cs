using EdgeRouter.Routing.Evaluation;

namespace EdgeRouter.Tests.Evaluation;

public class BaselineTests
{
    [Fact]
    public void TermsAreLowerCasedWordsOfTwoOrMoreCharactersThenBigrams()
    {
        Assert.Equal(["hello", "world", "x2", "hello world", "world x2"], TfidfVectorizer.Terms("Hello, a World! x2"));
        Assert.Equal(["hello", "world"], TfidfVectorizer.Terms("Hello world", bigrams: false));
    }

    [Fact]
    public void TfidfRowsAreUnitLengthWithSmoothIdfAndSublinearTf()
    {
        var vectorizer = TfidfVectorizer.Fit(["red red apple", "green apple"], new TfidfOptions { Bigrams = false });
        var rows = vectorizer.Transform(["red red apple", "unknown words only"]);

        // "apple" in both documents: idf ln(3/3) + 1 = 1; "red" in one: ln(3/2) + 1; tf(red) = 2 → 1 + ln 2.
        var red = (1 + Math.Log(2)) * (Math.Log(1.5) + 1);
        var norm = Math.Sqrt(red * red + 1);
        Assert.Equal(3, vectorizer.FeatureCount);
        Assert.Equal(2, rows.Columns(0).Length);
        Assert.Equal(new[] { 1 / norm, red / norm }.Order(), rows.Values(0).ToArray().Order(), new ToleranceComparer(1e-12));
        Assert.True(rows.Columns(1).IsEmpty);
    }

    [Fact]
    public void LogisticRegressionSeparatesSeparableDataAndConverges()
    {
        var vectorizer = TfidfVectorizer.Fit(["hard proof", "hard integral", "easy sum", "easy add"], new TfidfOptions { Bigrams = false });
        var x = vectorizer.Transform(["hard proof", "hard integral", "easy sum", "easy add"]);

        var model = LogisticRegression.Fit(x, [true, true, false, false], new LogisticRegressionOptions { L2 = 1e-3 });
        var p = model.PredictProbabilities(vectorizer.Transform(["a hard one", "an easy one"]));

        Assert.True(model.Converged);
        Assert.True(p[0] > 0.8 && p[1] < 0.2, $"p = {p[0]}, {p[1]}");
    }

    [Fact]
    public void StrongerPenaltyShrinksTheWeights()
    {
        var vectorizer = TfidfVectorizer.Fit(["a1 b1", "a1 c1", "b1 c1", "c1 d1"]);
        var x = vectorizer.Transform(["a1 b1", "a1 c1", "b1 c1", "c1 d1"]);
        bool[] y = [true, true, false, false];

        var weak = LogisticRegression.Fit(x, y, new LogisticRegressionOptions { L2 = 1e-4 });
        var strong = LogisticRegression.Fit(x, y, new LogisticRegressionOptions { L2 = 1 });

        Assert.True(strong.Weights.Sum(w => w * w) < weak.Weights.Sum(w => w * w));
    }

    [Fact]
    public void TfidfLogisticScorerChoosesItsPenaltyByCrossValidationAndRanksTheSignal()
    {
        var random = new Random(5);
        var samples = new List<RouterSample>();
        var labels = new List<bool>();
        for (var i = 0; i < 300; i++)
        {
            var hard = random.NextDouble() < 0.4;
            samples.Add(new RouterSample($"{(hard ? "theorem proof lemma" : "recipe lunch picnic")} item{random.Next(50)} word{random.Next(50)}"));
            labels.Add(hard ^ random.NextDouble() < 0.1);
        }

        var scorer = TfidfLogisticScorer.Train(samples, labels, new TfidfLogisticOptions { L2Grid = [1e-2, 1e-4], Folds = 3 });
        var scores = scorer.Score([new RouterSample("theorem proof"), new RouterSample("lunch picnic")]);

        Assert.Equal(2, scorer.CrossValidation.Count);
        Assert.All(scorer.CrossValidation, p => Assert.InRange(p.MeanRocAuc, 0.8, 1));
        Assert.True(scores[0] > scores[1]);
    }

    [Fact]
    public void FoldsAreBalancedAndReproducible()
    {
        var folds = TfidfLogisticScorer.AssignFolds(103, 5, 1);

        Assert.Equal(folds, TfidfLogisticScorer.AssignFolds(103, 5, 1));
        Assert.All(folds.GroupBy(f => f), g => Assert.InRange(g.Count(), 20, 21));
    }

    [Fact]
    public void SubjectPriorUsesTheSubjectRateAndTheNearestSubjectWithoutOne()
    {
        RouterSample[] train =
        [
            new("integral of a polynomial function", "math"), new("derivative of a polynomial", "math"),
            new("integral by parts of a function", "math"), new("limit of a function", "math"),
            new("the french revolution began", "history"), new("the roman empire fell", "history"),
        ];
        bool[] labels = [true, true, true, false, false, false];

        var scorer = SubjectPriorScorer.Train(train, labels);
        var scores = scorer.Score([new("anything", "math"), new("anything", "history"), new("the integral of this polynomial function"), new("zzz qqq")]);

        Assert.Equal([0.75, 0, 0.75, 0.5], scores);
        Assert.Equal("math", scorer.NearestSubject("polynomial integral"));
    }

    [Fact]
    public void LengthScoresAreCharacterCounts()
    {
        Assert.Equal([0, 5], new LengthScorer().Score([new(""), new("hello")]));
    }

    [Fact]
    public void RandomScorerIsReproduciblePerSeed()
    {
        var samples = Enumerable.Range(0, 10).Select(i => new RouterSample(i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();

        Assert.Equal(new RandomScorer(4).Score(samples), new RandomScorer(4).Score(samples));
        Assert.NotEqual(new RandomScorer(4).Score(samples), new RandomScorer(5).Score(samples));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
