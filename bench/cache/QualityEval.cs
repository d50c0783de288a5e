using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using EdgeRouter.Cache;

namespace EdgeRouter.CacheBench;

/// <summary>
/// How often the semantic cache would serve a right answer, and how often a wrong one, with a real encoder:
/// STS-B pairs, a CLINC150 cache of real queries (with out-of-scope queries that should never hit), and
/// meaning-flipped pairs. The threshold is chosen on the val splits only; test splits are only reported.
/// </summary>
internal static class QualityEval
{
    /// <summary>The gateway's default threshold (CacheStage settings <c>Threshold</c>).</summary>
    public const double GatewayThreshold = 0.97;

    /// <summary>Hit precision the chosen threshold must reach on both val sets.</summary>
    public const double TargetPrecision = 0.90;

    /// <summary>Neighbours a lookup examines (SemanticCacheOptions.Candidates default): it serves the first one at or
    /// above the threshold that the meaning guard accepts.</summary>
    private const int Candidates = 8;

    /// <summary>STS-B score from which a pair counts as the same meaning.</summary>
    private const double SameMeaningScore = 4.0;

    /// <summary>The tuning grid: 0.800, 0.805, … 0.990.</summary>
    private static readonly double[] Grid = [.. Enumerable.Range(0, 39).Select(k => Math.Round(0.80 + (0.005 * k), 3))];

    /// <summary>
    /// The encoder's calibrated pair similarity (its calibration.json), which the gateway's cache scores candidates
    /// with; null when it ships none, and then the cosine is the score. Set by <see cref="Run"/>.
    /// </summary>
    private static EdgeRouter.Pipeline.ITextSimilarity? s_similarity;

    /// <summary>The score the cache compares to its threshold, for texts whose vectors have this cosine.</summary>
    private static float Similarity(float cosine, string query, string cached) => s_similarity?.Score(cosine, query, cached) ?? cosine;

    public static JsonObject Run(TextEmbeddings embeddings, Options options, TextWriter output)
    {
        s_similarity = options.Calibrated ? embeddings.Encoder.Similarity : null;
        output.WriteLine(s_similarity is EdgeRouter.Inference.Models.LexicalBlend blend
            ? $"Similarity: the encoder's calibration, {blend.EmbeddingWeight:F2} × embedding cosine + {1 - blend.EmbeddingWeight:F2} × character 3–5-gram TF-IDF cosine ({blend.FeatureCount:N0} n-grams), as the gateway scores cache candidates. Columns named \"cosine\" below show this score."
            : "Similarity: embedding cosine, as the gateway's cache scores candidates by default.");
        output.WriteLine();
        var sts = Corpus.ReadStsb(options.DataDirectory);
        var clinc = Corpus.ReadIntents(options.DataDirectory, "clinc150.jsonl");
        var stsVal = PairSet.Build([.. sts.Where(p => p.Split == "val")], embeddings, "STS-B val");
        var stsTest = PairSet.Build([.. sts.Where(p => p.Split == "test")], embeddings, "STS-B test");
        var clincVal = CacheScenario.Build([.. clinc.Where(u => u.Split == "val")], [.. clinc.Where(u => u.Split == "oos_val")],
            embeddings, "CLINC150 val");
        var clincTest = CacheScenario.Build([.. clinc.Where(u => u.Split == "test")], [.. clinc.Where(u => u.Split == "oos_test")],
            embeddings, "CLINC150 test");

        // Choose on val: the lowest grid threshold at which both hit precisions (guard on) reach the target.
        double? chosen = null;
        foreach (var t in Grid)
        {
            if (stsVal.Score(t, guard: true).Precision >= TargetPrecision && clincVal.Score(t, guard: true).Precision >= TargetPrecision)
            {
                chosen = t;
                break;
            }
        }

        var threshold = chosen ?? Grid.MaxBy(t => Math.Min(Nz(stsVal.Score(t, true).Precision), Nz(clincVal.Score(t, true).Precision)));
        var json = new JsonObject
        {
            ["targetPrecision"] = TargetPrecision,
            ["chosenThreshold"] = chosen,
            ["reportedThreshold"] = threshold,
            ["gatewayThreshold"] = GatewayThreshold,
        };

        output.WriteLine("### Data");
        output.WriteLine();
        output.WriteLine($"- STS-B: val {stsVal.Count} pairs ({stsVal.Positives} same meaning, score ≥ {SameMeaningScore:F1}), " +
            $"test {stsTest.Count} pairs ({stsTest.Positives} same meaning). A pair is a hit when cosine ≥ threshold (and, with the " +
            "guard, `MeaningGuard.Compatible(s2, s1)`); precision = same-meaning hits / hits, hit rate = same-meaning hits / same-meaning pairs.");
        output.WriteLine($"- CLINC150: the cache holds every in-scope query of the split ({clincVal.Count} val, {clincTest.Count} test); " +
            $"each is looked up against the others, as `SemanticCache.Lookup` does it: exact (brute-force) top {Candidates} neighbours, " +
            "the first at or above the threshold that the guard accepts is served (without the guard: the nearest). Precision = served " +
            $"neighbours with the same intent / hits; hit rate = hits / queries. Out-of-scope queries ({clincVal.OutOfScope} oos_val, " +
            $"{clincTest.OutOfScope} oos_test) are looked up against the same cache: any hit is false.");
        output.WriteLine();

        output.WriteLine($"### Threshold chosen on val: {Fmt(threshold, 3)}");
        output.WriteLine();
        output.WriteLine(chosen is null
            ? $"No threshold in [0.80, 0.99] reached hit precision ≥ {TargetPrecision:F2} on both STS-B val and CLINC150 val; reported at the one with the best worse-of-two precision."
            : $"The lowest threshold in [0.80, 0.99] (step 0.005) at which hit precision with the guard is ≥ {TargetPrecision:F2} on both STS-B val and CLINC150 val.");
        output.WriteLine();
        output.WriteLine("### Val sweep (guard on unless marked)");
        output.WriteLine();
        output.WriteLine("| threshold | STS-B precision | STS-B hit rate | STS-B precision, no guard | STS-B hit rate, no guard | CLINC precision | CLINC hit rate | CLINC precision, no guard | CLINC hit rate, no guard | OOS false-hit rate | OOS false-hit rate, no guard |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        var sweep = new JsonArray();
        foreach (var t in Grid.Where((_, k) => k % 4 == 0 && k <= 36).Append(threshold).Distinct().Order())
        {
            var (sg, sn, cg, cn) = (stsVal.Score(t, true), stsVal.Score(t, false), clincVal.Score(t, true), clincVal.Score(t, false));
            var (og, on) = (clincVal.FalseHitRate(t, true), clincVal.FalseHitRate(t, false));
            output.WriteLine($"| {(t == threshold ? $"**{Fmt(t, 3)}**" : Fmt(t, 3))} | {Fmt(sg.Precision)} | {Fmt(sg.HitRate)} | {Fmt(sn.Precision)} | " +
                $"{Fmt(sn.HitRate)} | {Fmt(cg.Precision)} | {Fmt(cg.HitRate)} | {Fmt(cn.Precision)} | {Fmt(cn.HitRate)} | {Fmt(og)} | {Fmt(on)} |");
            sweep.Add(new JsonObject
            {
                ["threshold"] = t,
                ["stsb"] = Scores(sg, sn),
                ["clinc"] = Scores(cg, cn),
                ["oosFalseHitRate"] = Num(og),
                ["oosFalseHitRateNoGuard"] = Num(on),
            });
        }

        json["valSweep"] = sweep;
        output.WriteLine();

        output.WriteLine("### Test (reported only, never tuned on)");
        output.WriteLine();
        output.WriteLine($"| metric | chosen {Fmt(threshold, 3)} | gateway default {Fmt(GatewayThreshold, 3)} |");
        output.WriteLine("|---|---|---|");
        var test = new JsonObject();
        foreach (var (name, t) in new[] { ("chosen", threshold), ("gateway", GatewayThreshold) })
        {
            test[name] = new JsonObject
            {
                ["threshold"] = t,
                ["stsb"] = Scores(stsTest.Score(t, true), stsTest.Score(t, false)),
                ["clinc"] = Scores(clincTest.Score(t, true), clincTest.Score(t, false)),
                ["oosFalseHitRate"] = Num(clincTest.FalseHitRate(t, true)),
                ["oosFalseHitRateNoGuard"] = Num(clincTest.FalseHitRate(t, false)),
            };
        }

        json["test"] = test;
        Row("STS-B hit precision", t => Ratio(stsTest.Score(t, true).Correct, stsTest.Score(t, true).Hits));
        Row("STS-B hit rate", t => Ratio(stsTest.Score(t, true).Correct, stsTest.Positives));
        Row("STS-B hit precision, no guard", t => Ratio(stsTest.Score(t, false).Correct, stsTest.Score(t, false).Hits));
        Row("STS-B hit rate, no guard", t => Ratio(stsTest.Score(t, false).Correct, stsTest.Positives));
        Row("CLINC150 hit precision", t => Ratio(clincTest.Score(t, true).Correct, clincTest.Score(t, true).Hits));
        Row("CLINC150 hit rate", t => Ratio(clincTest.Score(t, true).Hits, clincTest.Count));
        Row("CLINC150 hit precision, no guard", t => Ratio(clincTest.Score(t, false).Correct, clincTest.Score(t, false).Hits));
        Row("CLINC150 hit rate, no guard", t => Ratio(clincTest.Score(t, false).Hits, clincTest.Count));
        Row("CLINC150 OOS false-hit rate", t => Ratio(clincTest.OutOfScopeHits(t, true), clincTest.OutOfScope));
        Row("CLINC150 OOS false-hit rate, no guard", t => Ratio(clincTest.OutOfScopeHits(t, false), clincTest.OutOfScope));
        output.WriteLine();

        json["flips"] = new JsonObject
        {
            ["test"] = ReportFlips(embeddings, output, "test", stsTest.Pairs, clincTest.Queries, threshold),
            ["val"] = ReportFlips(embeddings, output, "val", stsVal.Pairs, clincVal.Queries, threshold),
        };
        return json;

        void Row(string metric, Func<double, string> cell) =>
            output.WriteLine($"| {metric} | {cell(threshold)} | {cell(GatewayThreshold)} |");
    }

    private static JsonObject ReportFlips(TextEmbeddings embeddings, TextWriter output, string split, IReadOnlyList<StsPair> sts,
        IReadOnlyList<Utterance> clinc, double threshold)
    {
        var flips = MeaningFlips.Generate(sts.Select(p => ("STS-B", p.S1)).Concat(clinc.Select(u => ("CLINC150", u.Text))));
        var originals = embeddings.Encode([.. flips.Select(f => f.Original)], $"flips ({split}, originals)");
        var flipped = embeddings.Encode([.. flips.Select(f => f.Flipped)], $"flips ({split})");
        var cosine = new float[flips.Count];
        var accepted = new bool[flips.Count];
        for (var i = 0; i < flips.Count; i++)
        {
            cosine[i] = Similarity(TensorPrimitives.Dot(originals[i], flipped[i]), flips[i].Flipped, flips[i].Original);
            accepted[i] = MeaningGuard.Compatible(flips[i].Flipped, flips[i].Original, out _);
        }

        output.WriteLine($"### Meaning-flipped pairs ({split}: STS-B {split} s1 sentences and CLINC150 {split} in-scope queries)");
        output.WriteLine();
        output.WriteLine("Every pair should miss. \"cos ≥ t\" is the share the embedding alone would serve; \"false hits\" adds the " +
            "meaning guard (cosine ≥ t and `MeaningGuard.Compatible(flipped, original)`); \"guard rejects\" is its share at any cosine.");
        output.WriteLine();
        output.WriteLine($"| rule | pairs | mean cosine | cos ≥ {Fmt(threshold, 3)} | false hits @ {Fmt(threshold, 3)} | cos ≥ {Fmt(GatewayThreshold, 3)} | false hits @ {Fmt(GatewayThreshold, 3)} | guard rejects |");
        output.WriteLine("|---|---|---|---|---|---|---|---|");
        var json = new JsonObject();
        foreach (var rule in MeaningFlips.Rules.Append("all"))
        {
            var members = Enumerable.Range(0, flips.Count).Where(i => rule == "all" || flips[i].Rule == rule).ToArray();
            if (members.Length == 0)
            {
                output.WriteLine($"| {rule} | 0 | – | – | – | – | – | – |");
                continue;
            }

            int Above(double t) => members.Count(i => cosine[i] >= (float)t);
            int False(double t) => members.Count(i => cosine[i] >= (float)t && accepted[i]);
            var rejects = members.Count(i => !accepted[i]);
            var mean = members.Average(i => (double)cosine[i]);
            var label = rule == "all" ? "**all**" : rule;
            output.WriteLine($"| {label} | {members.Length} | {mean:F3} | {Fraction(Above(threshold), members.Length)} | " +
                $"{Fraction(False(threshold), members.Length)} | {Fraction(Above(GatewayThreshold), members.Length)} | " +
                $"{Fraction(False(GatewayThreshold), members.Length)} | {Fraction(rejects, members.Length)} |");
            json[rule] = new JsonObject
            {
                ["pairs"] = members.Length,
                ["meanCosine"] = Num(mean),
                ["aboveChosen"] = Num((double)Above(threshold) / members.Length),
                ["falseHitsChosen"] = Num((double)False(threshold) / members.Length),
                ["aboveGateway"] = Num((double)Above(GatewayThreshold) / members.Length),
                ["falseHitsGateway"] = Num((double)False(GatewayThreshold) / members.Length),
                ["guardRejects"] = Num((double)rejects / members.Length),
            };
        }

        output.WriteLine();
        if (split == "test")
        {
            // One example per rule: the most similar pair the guard lets through (the failure that matters), else the most similar.
            output.WriteLine("Examples (per rule, the highest-cosine pair the guard lets through, marked ✗, else the highest-cosine pair):");
            output.WriteLine();
            foreach (var rule in MeaningFlips.Rules)
            {
                var members = Enumerable.Range(0, flips.Count).Where(i => flips[i].Rule == rule).ToArray();
                if (members.Length > 0)
                {
                    var i = members.OrderByDescending(i => accepted[i]).ThenByDescending(i => cosine[i]).First();
                    output.WriteLine($"- {rule}: \"{flips[i].Original}\" → \"{flips[i].Flipped}\" (cos {cosine[i]:F3}{(accepted[i] ? ", ✗" : ", rejected")})");
                }
            }

            output.WriteLine();
        }

        return json;
    }

    private static JsonObject Scores(Score guarded, Score unguarded) => new()
    {
        ["precision"] = Num(guarded.Precision),
        ["hitRate"] = Num(guarded.HitRate),
        ["hits"] = guarded.Hits,
        ["precisionNoGuard"] = Num(unguarded.Precision),
        ["hitRateNoGuard"] = Num(unguarded.HitRate),
        ["hitsNoGuard"] = unguarded.Hits,
    };

    public static JsonNode? Num(double value) => double.IsFinite(value) ? JsonValue.Create(Math.Round(value, 6)) : null;

    public static string Fmt(double value, int digits = 3) =>
        double.IsFinite(value) ? value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "–";

    private static string Ratio(int numerator, int denominator) =>
        denominator == 0 ? "– (0/0)" : $"{Fmt((double)numerator / denominator)} ({numerator}/{denominator})";

    private static string Fraction(int count, int total) => $"{Fmt((double)count / total)} ({count})";

    private static double Nz(double value) => double.IsFinite(value) ? value : 0;

    /// <summary>Hits, correct hits, and the two rates (precision NaN when nothing hit).</summary>
    private readonly record struct Score(int Hits, int Correct, double Precision, double HitRate);

    /// <summary>STS-B pairs with their cosine and the guard's verdict.</summary>
    private sealed class PairSet
    {
        private float[] _cosine = [];
        private bool[] _accepted = [];
        private bool[] _same = [];

        public IReadOnlyList<StsPair> Pairs { get; private init; } = [];

        public int Count => Pairs.Count;

        public int Positives => _same.Count(s => s);

        public static PairSet Build(List<StsPair> pairs, TextEmbeddings embeddings, string what)
        {
            var first = embeddings.Encode([.. pairs.Select(p => p.S1)], what);
            var second = embeddings.Encode([.. pairs.Select(p => p.S2)], what);
            return new PairSet
            {
                Pairs = pairs,
                _cosine = [.. pairs.Select((p, i) => Similarity(TensorPrimitives.Dot(first[i], second[i]), p.S2, p.S1))],
                _accepted = [.. pairs.Select(p => MeaningGuard.Compatible(p.S2, p.S1, out _))],
                _same = [.. pairs.Select(p => p.Score >= SameMeaningScore)],
            };
        }

        public Score Score(double threshold, bool guard)
        {
            int hits = 0, correct = 0;
            for (var i = 0; i < _cosine.Length; i++)
            {
                if (_cosine[i] >= (float)threshold && (!guard || _accepted[i]))
                {
                    hits++;
                    correct += _same[i] ? 1 : 0;
                }
            }

            return new Score(hits, correct, hits == 0 ? double.NaN : (double)correct / hits, (double)correct / Math.Max(1, Positives));
        }
    }

    /// <summary>A cache holding one split's in-scope queries; each query's top neighbours among the others, with guard verdicts.</summary>
    private sealed class CacheScenario
    {
        private Neighbours[] _queries = [];
        private Neighbours[] _outOfScope = [];

        public IReadOnlyList<Utterance> Queries { get; private init; } = [];

        public int Count => Queries.Count;

        public int OutOfScope => _outOfScope.Length;

        public static CacheScenario Build(List<Utterance> inScope, List<Utterance> outOfScope, TextEmbeddings embeddings, string what)
        {
            var cached = embeddings.Encode([.. inScope.Select(u => u.Text)], what);
            var oos = embeddings.Encode([.. outOfScope.Select(u => u.Text)], what + " oos");
            var texts = inScope.Select(u => u.Text).ToArray();
            return new CacheScenario
            {
                Queries = inScope,
                _queries = Search(cached, texts, cached, texts, excludeSelf: true),
                _outOfScope = Search(oos, [.. outOfScope.Select(u => u.Text)], cached, texts, excludeSelf: false),
            };
        }

        public Score Score(double threshold, bool guard)
        {
            int hits = 0, correct = 0;
            for (var q = 0; q < _queries.Length; q++)
            {
                var served = _queries[q].Served(threshold, guard);
                if (served >= 0)
                {
                    hits++;
                    correct += Queries[served].Intent == Queries[q].Intent ? 1 : 0;
                }
            }

            return new Score(hits, correct, hits == 0 ? double.NaN : (double)correct / hits, (double)hits / Math.Max(1, _queries.Length));
        }

        public int OutOfScopeHits(double threshold, bool guard) => _outOfScope.Count(n => n.Served(threshold, guard) >= 0);

        public double FalseHitRate(double threshold, bool guard) =>
            _outOfScope.Length == 0 ? double.NaN : (double)OutOfScopeHits(threshold, guard) / _outOfScope.Length;

        /// <summary>Exact top-<see cref="Candidates"/> of every query by cosine (a dot product: all vectors are unit length).</summary>
        private static Neighbours[] Search(float[][] queries, string[] queryTexts, float[][] entries, string[] entryTexts, bool excludeSelf)
        {
            var result = new Neighbours[queries.Length];
            Parallel.For(0, queries.Length, q =>
            {
                var ids = new int[Candidates];
                var cosines = new float[Candidates];
                var count = 0;
                for (var e = 0; e < entries.Length; e++)
                {
                    if (excludeSelf && e == q)
                    {
                        continue;
                    }

                    var cosine = TensorPrimitives.Dot(queries[q], entries[e]);
                    if (count == Candidates && cosine <= cosines[count - 1])
                    {
                        continue;
                    }

                    // Insertion into the short sorted list (descending).
                    var at = count < Candidates ? count++ : count - 1;
                    while (at > 0 && cosines[at - 1] < cosine)
                    {
                        cosines[at] = cosines[at - 1];
                        ids[at] = ids[at - 1];
                        at--;
                    }

                    cosines[at] = cosine;
                    ids[at] = e;
                }

                // As SemanticCache.Lookup: the nearest by cosine, re-ranked by the calibrated score.
                for (var j = 0; j < count; j++)
                {
                    cosines[j] = Similarity(cosines[j], queryTexts[q], entryTexts[ids[j]]);
                }

                Array.Sort(cosines, ids, 0, count, Comparer<float>.Create((x, y) => y.CompareTo(x)));
                var accepted = new bool[count];
                for (var j = 0; j < count; j++)
                {
                    accepted[j] = MeaningGuard.Compatible(queryTexts[q], entryTexts[ids[j]], out _);
                }

                result[q] = new Neighbours(ids[..count], cosines[..count], accepted);
            });
            return result;
        }
    }

    /// <summary>One query's nearest entries (descending cosine) and whether the guard accepts each.</summary>
    private sealed record Neighbours(int[] Ids, float[] Cosines, bool[] Accepted)
    {
        /// <summary>The entry a lookup at <paramref name="threshold"/> serves, or -1.</summary>
        public int Served(double threshold, bool guard)
        {
            for (var j = 0; j < Ids.Length && Cosines[j] >= (float)threshold; j++)
            {
                if (!guard || Accepted[j])
                {
                    return Ids[j];
                }
            }

            return -1;
        }
    }
}
