using EdgeRouter.Vectors;

namespace EdgeRouter.Tests;

/// <summary>
/// Synthetic embeddings with neighbourhood structure, like the peers' "clustered" set: unit-length vectors drawn around
/// random unit centres with Gaussian noise per coordinate, queries from the same clusters; deterministic per seed.
/// </summary>
internal sealed class ClusteredData
{
    public ClusteredData(int count, int queries, int dimension, int clusters, float sigma, int seed)
    {
        var random = new Random(seed);
        var centres = new float[clusters][];
        for (var c = 0; c < clusters; c++)
        {
            centres[c] = Normalized(Gaussian(random, dimension, 1f));
        }

        float[] Draw()
        {
            var centre = centres[random.Next(clusters)];
            var noise = Gaussian(random, dimension, sigma);
            for (var i = 0; i < dimension; i++)
            {
                noise[i] += centre[i];
            }

            return Normalized(noise);
        }

        Dimension = dimension;
        Vectors = [.. Enumerable.Range(0, count).Select(_ => Draw())];
        Queries = [.. Enumerable.Range(0, queries).Select(_ => Draw())];
    }

    public int Dimension { get; }

    public float[][] Vectors { get; }

    public float[][] Queries { get; }

    /// <summary>The exact top-k labels of every query over the given labels (all when null), by brute force.</summary>
    public ulong[][] GroundTruth(int k, IEnumerable<int>? labels = null)
    {
        using var exact = new BruteForceIndex(Dimension, Vectors.Length);
        foreach (var label in labels ?? Enumerable.Range(0, Vectors.Length))
        {
            exact.Add((ulong)label, Vectors[label]);
        }

        var results = new SearchResult[k];
        return [.. Queries.Select(q => results[..exact.Search(q, k, results)].Select(r => r.Label).ToArray())];
    }

    /// <summary>Mean fraction of the true top-k that the index returns in its top k.</summary>
    public double Recall(IVectorIndex index, ulong[][] truth, int k, Func<IVectorIndex, float[], SearchResult[], int>? search = null)
    {
        var results = new SearchResult[k];
        long hits = 0;
        for (var q = 0; q < Queries.Length; q++)
        {
            var n = search is null ? index.Search(Queries[q], k, results) : search(index, Queries[q], results);
            var want = truth[q].ToHashSet();
            hits += results[..n].Count(r => want.Contains(r.Label));
        }

        return (double)hits / (Queries.Length * k);
    }

    private static float[] Gaussian(Random random, int dimension, float sigma)
    {
        var v = new float[dimension];
        for (var i = 0; i < dimension; i++)
        {
            // Box-Muller: deterministic for a seeded Random.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            v[i] = sigma * (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        return v;
    }

    private static float[] Normalized(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / norm)];
    }
}
