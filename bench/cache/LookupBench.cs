using System.Diagnostics;
using System.Text.Json.Nodes;
using EdgeRouter.Cache;
using EdgeRouter.Cache.Storage;

namespace EdgeRouter.CacheBench;

/// <summary>
/// Lookup latency of the real <see cref="SemanticCache"/> (memory only, one tenant and route, default HNSW settings)
/// at a realistic size. Entries: real sentence embeddings (CLINC150, STS-B, SNIPS, Banking77 texts, shuffled), then
/// synthetic ones up to the cache size — a random real embedding plus isotropic Gaussian noise of norm
/// <see cref="Options.EntryNoise"/>, renormalised (cosine about 1/√(1+noise²) to its parent: 0.89 at 0.5), carrying
/// its parent's text. Queries: half are a random real entry plus noise of norm <see cref="Options.QueryNoise"/>
/// (cosine about 0.99: should hit), half are held-out real sentences, as encoded and again with the same noise
/// (should mostly miss). Timed one call at a time on one thread after a warm-up.
/// </summary>
internal static class LookupBench
{
    private const string Tenant = "bench";
    private const string Route = "default";

    public static JsonObject Run(TextEmbeddings embeddings, Options options, TextWriter output)
    {
        var random = new Random(options.Seed);
        var texts = AllTexts(options.DataDirectory);
        random.Shuffle(texts);
        var heldOutCount = Math.Min(options.HeldOut, texts.Length / 4);
        var realCount = Math.Min(Math.Min(options.RealEntries, texts.Length - heldOutCount), options.Entries);
        var heldOutTexts = texts[..heldOutCount];
        var realTexts = texts[heldOutCount..(heldOutCount + realCount)];
        var heldOut = embeddings.Encode(heldOutTexts, "held-out queries");
        var real = embeddings.Encode(realTexts, "cache entries");
        var dimensions = embeddings.Dimensions;

        var settings = new SemanticCacheOptions { Dimensions = dimensions, MaxEntries = options.Entries };
        using var cache = new SemanticCache(settings, new NullCacheStore(), TimeProvider.System);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var prompts = new string[options.Entries];
        var vectors = new float[options.Entries][];
        for (var i = 0; i < options.Entries; i++)
        {
            var parent = i < realCount ? i : random.Next(realCount);
            prompts[i] = realTexts[parent];
            vectors[i] = i < realCount ? real[i] : Noisy(real[parent], options.EntryNoise, random);
        }

        var gcBefore = GC.CollectionCount(0);
        var build = Stopwatch.StartNew();
        for (var i = 0; i < options.Entries; i++)
        {
            cache.Add(new CacheEntry
            {
                Id = new Guid(i, 0, 0, new byte[8]),
                Tenant = Tenant,
                Route = Route,
                ExactHash = (UInt128)(i + 1),
                ContextHash = 0,
                Prompt = prompts[i],
                Embedding = vectors[i],
                Model = "bench",
                CreatedUnixMs = now,
                TtlSeconds = 365 * 24 * 3600,
            });
            if ((i + 1) % 20_000 == 0)
            {
                Console.Error.WriteLine($"  inserted {i + 1} entries, {build.Elapsed.TotalSeconds:F1} s");
            }
        }

        var buildSeconds = build.Elapsed.TotalSeconds;
        Console.Error.WriteLine($"  built in {buildSeconds:F1} s ({GC.CollectionCount(0) - gcBefore} gen0 GCs)");

        // Query sets: the timed one, and a warm-up one made the same way with other noise.
        var probes = Probes(options.Lookups, options, random, real, realTexts, heldOut, heldOutTexts, salt: 0);
        var warmUp = Probes(Math.Min(options.Lookups, 4_000), options, random, real, realTexts, heldOut, heldOutTexts, salt: 1);
        for (var round = 0; round < 3; round++)
        {
            // Three passes with pauses let tiered compilation promote the lookup path to optimised code first.
            foreach (var probe in warmUp)
            {
                cache.Lookup(probe.Query);
            }

            Thread.Sleep(300);
        }

        var latency = new double[probes.Length];
        var served = new bool[probes.Length];
        var servedSource = 0;
        // Start the timed loops from a collected heap; collections during them are counted and reported, not avoided.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var gcTimed = Collections();
        for (var i = 0; i < probes.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var result = cache.Lookup(probes[i].Query);
            var end = Stopwatch.GetTimestamp();
            latency[i] = (end - start) * 1e6 / Stopwatch.Frequency;
            served[i] = result.Kind != CacheHitKind.Miss;
            servedSource += served[i] && probes[i].NearEntry && result.Entry!.Prompt == probes[i].Query.Fingerprint.LastUserText ? 1 : 0;
        }

        var gcTimedText = Since(gcTimed);
        var near = Enumerable.Range(0, probes.Length).Where(i => probes[i].NearEntry).ToArray();
        var far = Enumerable.Range(0, probes.Length).Where(i => !probes[i].NearEntry).ToArray();
        var nearServed = near.Count(i => served[i]);
        var farServed = far.Count(i => served[i]);

        // Encode + lookup on prompts of the typical length, also single-threaded.
        var encodePrompts = PromptsOfLength(embeddings, heldOutTexts, options.PromptTokens, options.EncodeLookups, out var tokenCounts);
        var buffer = new float[dimensions];
        var encodeQueries = encodePrompts.Select((p, i) => Query(p, buffer, (UInt128)1 << 101 | (UInt128)i, options.Threshold)).ToArray();
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < Math.Min(500, encodePrompts.Length); i++)
            {
                embeddings.Encoder.Encode(encodePrompts[i], buffer);
                cache.Lookup(encodeQueries[i]);
            }

            Thread.Sleep(300);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var gcEncode = Collections();

        var encodeLatency = new double[encodePrompts.Length];
        var lookupAfterEncode = new double[encodePrompts.Length];
        var encodeAndLookup = new double[encodePrompts.Length];
        for (var i = 0; i < encodePrompts.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            embeddings.Encoder.Encode(encodePrompts[i], buffer);
            var encoded = Stopwatch.GetTimestamp();
            cache.Lookup(encodeQueries[i]);
            var end = Stopwatch.GetTimestamp();
            encodeLatency[i] = (encoded - start) * 1e6 / Stopwatch.Frequency;
            lookupAfterEncode[i] = (end - encoded) * 1e6 / Stopwatch.Frequency;
            encodeAndLookup[i] = (end - start) * 1e6 / Stopwatch.Frequency;
        }

        var gcEncodeText = Since(gcEncode);

        // Report.
        var stats = cache.Stats;
        output.WriteLine($"### Lookup latency at {options.Entries:N0} entries");
        output.WriteLine();
        output.WriteLine($"- Cache: `SemanticCache` over `NullCacheStore`, one tenant and route, d = {dimensions}, M = {settings.M}, " +
            $"efConstruction = {settings.EfConstruction}, ef = {settings.Ef}, candidates = {settings.Candidates}, threshold = " +
            $"{QualityEval.Fmt(options.Threshold, 3)}, meaning guard on.");
        output.WriteLine($"- Entries: {realCount:N0} real sentence embeddings (distinct CLINC150, STS-B, SNIPS and Banking77 texts, shuffled " +
            $"with seed {options.Seed}) + {options.Entries - realCount:N0} synthetic: a random real embedding plus isotropic Gaussian noise of " +
            $"norm {options.EntryNoise} (σ = {options.EntryNoise}/√{dimensions} per component), renormalised, carrying its parent's text.");
        output.WriteLine($"- Build: {options.Entries:N0} × `SemanticCache.Add` in {buildSeconds:F1} s ({buildSeconds * 1e6 / options.Entries:F0} µs/entry); " +
            $"process working set afterwards {Environment.WorkingSet / (1024.0 * 1024):F0} MiB.");
        output.WriteLine($"- Queries: {near.Length:N0} near a cached real entry (its embedding plus noise of norm {options.QueryNoise}, " +
            $"its text) — {Share(nearServed, near.Length)} served, {Share(servedSource, near.Length)} with an entry of the same text; " +
            $"{far.Length:N0} held-out real sentences ({heldOutCount:N0} distinct, as encoded and with the same noise) — " +
            $"{Share(farServed, far.Length)} served. Cache counters after the run: {stats.SemanticHits:N0} semantic hits, {stats.Misses:N0} " +
            $"misses, {stats.GuardRejections:N0} guard rejections (warm-up included).");
        output.WriteLine($"- Timing: one thread, `Stopwatch.GetTimestamp` around each call, after {3 * warmUp.Length:N0} warm-up lookups; " +
            $"garbage collections (gen0/1/2) during the timed lookups {gcTimedText}, during encode + lookup {gcEncodeText}. Encode prompts: {encodePrompts.Length:N0} held-out sentences joined to " +
            $"{tokenCounts.Min()}–{tokenCounts.Max()} tokens (mean {tokenCounts.Average():F1}, special tokens included).");
        output.WriteLine();
        output.WriteLine("| measured | calls | p50 µs | p90 µs | p99 µs | p99.9 µs | mean µs |");
        output.WriteLine("|---|---|---|---|---|---|---|");
        var json = new JsonObject
        {
            ["entries"] = options.Entries,
            ["realEntries"] = realCount,
            ["dimensions"] = dimensions,
            ["m"] = settings.M,
            ["efConstruction"] = settings.EfConstruction,
            ["ef"] = settings.Ef,
            ["threshold"] = options.Threshold,
            ["entryNoise"] = options.EntryNoise,
            ["queryNoise"] = options.QueryNoise,
            ["buildSeconds"] = QualityEval.Num(buildSeconds),
            ["nearQueriesServed"] = QualityEval.Num((double)nearServed / near.Length),
            ["heldOutQueriesServed"] = QualityEval.Num((double)farServed / Math.Max(1, far.Length)),
            ["promptTokensMean"] = QualityEval.Num(tokenCounts.Average()),
        };
        var rows = new JsonObject();
        Row("lookup, all queries", "lookup", latency);
        Row("lookup, served (hit)", "lookupHit", [.. Enumerable.Range(0, probes.Length).Where(i => served[i]).Select(i => latency[i])]);
        Row("lookup, not served (miss)", "lookupMiss", [.. Enumerable.Range(0, probes.Length).Where(i => !served[i]).Select(i => latency[i])]);
        Row($"encode, {options.PromptTokens}-token prompt", "encode", encodeLatency);
        Row("lookup after that encode", "lookupAfterEncode", lookupAfterEncode);
        Row("**encode + lookup**", "encodeAndLookup", encodeAndLookup);
        json["latencyMicroseconds"] = rows;
        output.WriteLine();
        return json;

        void Row(string label, string key, double[] values)
        {
            if (values.Length == 0)
            {
                output.WriteLine($"| {label} | 0 | – | – | – | – | – |");
                return;
            }

            Array.Sort(values);
            var (p50, p90, p99, p999) = (Percentile(values, 0.50), Percentile(values, 0.90), Percentile(values, 0.99), Percentile(values, 0.999));
            output.WriteLine($"| {label} | {values.Length:N0} | {p50:F1} | {p90:F1} | {p99:F1} | {p999:F1} | {values.Average():F1} |");
            rows[key] = new JsonObject
            {
                ["calls"] = values.Length,
                ["p50"] = QualityEval.Num(p50),
                ["p90"] = QualityEval.Num(p90),
                ["p99"] = QualityEval.Num(p99),
                ["p999"] = QualityEval.Num(p999),
                ["mean"] = QualityEval.Num(values.Average()),
            };
        }
    }

    private static (int Gen0, int Gen1, int Gen2) Collections() => (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

    private static string Since((int Gen0, int Gen1, int Gen2) start)
    {
        var now = Collections();
        return $"{now.Gen0 - start.Gen0}/{now.Gen1 - start.Gen1}/{now.Gen2 - start.Gen2}";
    }

    /// <summary>Nearest-rank percentile of sorted <paramref name="sorted"/>.</summary>
    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Share(int count, int total) => $"{QualityEval.Fmt(100.0 * count / Math.Max(1, total), 1)}%";

    private static string[] AllTexts(string dataDirectory)
    {
        var texts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in (string[])["clinc150.jsonl", "snips.jsonl", "banking77.jsonl"])
        {
            texts.UnionWith(Corpus.ReadIntents(dataDirectory, file).Select(u => u.Text));
        }

        foreach (var pair in Corpus.ReadStsb(dataDirectory))
        {
            texts.Add(pair.S1);
            texts.Add(pair.S2);
        }

        // Sorted first so the shuffle, and so the whole run, is the same for the same seed.
        return [.. texts.Where(t => !string.IsNullOrWhiteSpace(t)).Order(StringComparer.Ordinal)];
    }

    private static Probe[] Probes(int count, Options options, Random random, float[][] real, string[] realTexts, float[][] heldOut,
        string[] heldOutTexts, int salt)
    {
        var probes = new Probe[count];
        for (var i = 0; i < count; i++)
        {
            var id = ((UInt128)1 << 100) | ((UInt128)(uint)salt << 32) | (uint)i;
            if (i % 2 == 0)
            {
                var parent = random.Next(real.Length);
                probes[i] = new Probe(Query(realTexts[parent], Noisy(real[parent], options.QueryNoise, random), id, options.Threshold), true);
            }
            else
            {
                var source = random.Next(heldOut.Length);
                var vector = (i / 2) % 2 == 0 ? heldOut[source] : Noisy(heldOut[source], options.QueryNoise, random);
                probes[i] = new Probe(Query(heldOutTexts[source], vector, id, options.Threshold), false);
            }
        }

        random.Shuffle(probes);
        return probes;
    }

    private static CacheQuery Query(string text, float[] embedding, UInt128 exactHash, double threshold) =>
        new(Tenant, Route, new RequestFingerprint(0, exactHash, text, SemanticAllowed: true), embedding, (float)threshold);

    /// <summary><paramref name="vector"/> plus isotropic Gaussian noise whose expected norm is <paramref name="norm"/>, renormalised.</summary>
    private static float[] Noisy(float[] vector, double norm, Random random)
    {
        var sigma = norm / Math.Sqrt(vector.Length);
        var result = new float[vector.Length];
        for (var i = 0; i < result.Length; i++)
        {
            // Box–Muller.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            result[i] = vector[i] + (float)(sigma * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        TextEmbeddings.Normalise(result);
        return result;
    }

    /// <summary>
    /// <paramref name="count"/> prompts of at most <paramref name="tokens"/> tokens (special tokens included), each the
    /// longest run of whole words from consecutive held-out sentences that fits.
    /// </summary>
    private static string[] PromptsOfLength(TextEmbeddings embeddings, string[] sentences, int tokens, int count, out int[] tokenCounts)
    {
        var ids = new int[4096];
        var prompts = new string[count];
        tokenCounts = new int[count];
        var next = 0;
        for (var p = 0; p < count; p++)
        {
            var words = new List<string>();
            var fitted = "";
            var fittedCount = 0;
            while (true)
            {
                var sentenceWords = sentences[next++ % sentences.Length].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var overflow = false;
                foreach (var word in sentenceWords)
                {
                    words.Add(word);
                    var candidate = string.Join(' ', words);
                    var n = embeddings.Encoder.Tokenizer.Encode(candidate, ids, addSpecialTokens: true);
                    if (n > tokens)
                    {
                        overflow = true;
                        break;
                    }

                    (fitted, fittedCount) = (candidate, n);
                }

                if (overflow)
                {
                    break;
                }
            }

            prompts[p] = fitted;
            tokenCounts[p] = fittedCount;
        }

        return prompts;
    }

    private readonly record struct Probe(CacheQuery Query, bool NearEntry);
}
