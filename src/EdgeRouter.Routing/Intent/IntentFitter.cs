namespace EdgeRouter.Routing.Intent;

/// <summary>One labeled prompt's scores: one per intent, and the intent it really is (null: none of them).</summary>
/// <param name="Scores">The prompt's score for each intent, in the stage's order.</param>
/// <param name="Label">Index of the true intent, or null for an out-of-scope prompt.</param>
public readonly record struct LabeledScores(float[] Scores, int? Label);

/// <summary>Precision and recall of one intent at one threshold.</summary>
/// <param name="Threshold">The threshold.</param>
/// <param name="Precision">Of the prompts recognised as the intent, the share that are it (1 when none is recognised).</param>
/// <param name="Recall">Of the prompts that are the intent, the share recognised as it.</param>
/// <param name="Support">Prompts labeled with the intent.</param>
/// <param name="Recognised">Prompts recognised as the intent.</param>
public readonly record struct IntentQuality(double Threshold, double Precision, double Recall, int Support, int Recognised);

/// <summary>The fitted threshold of one intent, with its quality before and after.</summary>
/// <param name="Name">The intent.</param>
/// <param name="Current">Quality at the configured threshold.</param>
/// <param name="Fitted">Quality at the fitted threshold.</param>
/// <param name="MetTarget">True when the fitted threshold reaches the target precision.</param>
public sealed record IntentFit(string Name, IntentQuality Current, IntentQuality Fitted, bool MetTarget);

/// <summary>
/// Tunes each intent's threshold on labeled prompts. A prompt is recognised as its best-scoring intent when that
/// score reaches the intent's threshold, so the best intent does not depend on thresholds and each threshold can be
/// tuned alone: the fitted one is the lowest that keeps precision at or above the target (the most recall the
/// target allows); when no threshold reaches the target, the one with the best F1.
/// </summary>
public static class IntentFitter
{
    /// <summary>Fits every intent's threshold.</summary>
    /// <param name="names">Intent names, in the stage's order.</param>
    /// <param name="current">Configured thresholds.</param>
    /// <param name="samples">Labeled prompts with their scores.</param>
    /// <param name="targetPrecision">Precision each intent must keep, in (0, 1].</param>
    public static IReadOnlyList<IntentFit> Fit(IReadOnlyList<string> names, IReadOnlyList<double> current, IReadOnlyList<LabeledScores> samples,
        double targetPrecision)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(samples);
        var fits = new List<IntentFit>(names.Count);
        for (var intent = 0; intent < names.Count; intent++)
        {
            // The prompts whose best intent is this one, by score, with whether they really are it.
            var candidates = new List<(float Score, bool Positive)>();
            var support = 0;
            foreach (var sample in samples)
            {
                support += sample.Label == intent ? 1 : 0;
                if (Best(sample.Scores) == intent)
                {
                    candidates.Add((sample.Scores[intent], sample.Label == intent));
                }
            }

            candidates.Sort((a, b) => b.Score.CompareTo(a.Score));
            var atCurrent = Quality(candidates, support, current[intent]);
            IntentQuality? lowestMeeting = null;
            var bestF1 = atCurrent;
            var truePositives = 0;
            for (var i = 0; i < candidates.Count; i++)
            {
                truePositives += candidates[i].Positive ? 1 : 0;
                if (i + 1 < candidates.Count && candidates[i + 1].Score == candidates[i].Score)
                {
                    continue; // a threshold cannot separate equal scores
                }

                var quality = new IntentQuality(candidates[i].Score, (double)truePositives / (i + 1),
                    support == 0 ? 0 : (double)truePositives / support, support, i + 1);
                if (quality.Precision >= targetPrecision)
                {
                    lowestMeeting = quality;
                }

                if (F1(quality) > F1(bestF1))
                {
                    bestF1 = quality;
                }
            }

            var fitted = lowestMeeting ?? bestF1;
            fits.Add(new IntentFit(names[intent], atCurrent, fitted, lowestMeeting is not null));
        }

        return fits;
    }

    /// <summary>Precision and recall of recognising the best-scoring prompts at <paramref name="threshold"/>.</summary>
    private static IntentQuality Quality(List<(float Score, bool Positive)> byScore, int support, double threshold)
    {
        var recognised = 0;
        var truePositives = 0;
        foreach (var (score, positive) in byScore)
        {
            if (score >= threshold)
            {
                recognised++;
                truePositives += positive ? 1 : 0;
            }
        }

        return new IntentQuality(threshold, recognised == 0 ? 1 : (double)truePositives / recognised,
            support == 0 ? 0 : (double)truePositives / support, support, recognised);
    }

    private static double F1(IntentQuality q) => q.Precision + q.Recall == 0 ? 0 : 2 * q.Precision * q.Recall / (q.Precision + q.Recall);

    private static int Best(float[] scores)
    {
        var best = 0;
        for (var i = 1; i < scores.Length; i++)
        {
            if (scores[i] > scores[best])
            {
                best = i;
            }
        }

        return best;
    }
}
