using EdgeRouter.Vectors;
using EdgeRouter.Vectors.Hnsw;
using EdgeRouter.Vectors.Kernels;

namespace EdgeRouter.Tests.Hnsw;

public class HnswConcurrencyTests(ClusteredIndexFixture fixture) : IClassFixture<ClusteredIndexFixture>
{
    private const int K = ClusteredIndexFixture.K;

    [Fact]
    public async Task ConcurrentSearchesDuringInsertsReturnValidResultsAndTheFinalRecallIsHigh()
    {
        var data = fixture.Data;
        // A small initial capacity, so the slabs also grow (exclusively) while searches run.
        using var index = new HnswIndex(ClusteredIndexFixture.Options with { InitialCapacity = 256 });
        var inserted = 0;
        var failures = new List<string>();
        var searches = 0;

        var searchers = Enumerable.Range(0, 2).Select(worker => Task.Run(() =>
        {
            var results = new SearchResult[K];
            var q = worker;
            while (Volatile.Read(ref inserted) < data.Vectors.Length)
            {
                var query = data.Queries[q++ % data.Queries.Length];
                var n = index.Search(query, K, results);
                var added = Volatile.Read(ref inserted) + 1; // a label can be found while its Add is still running
                for (var i = 0; i < n; i++)
                {
                    var r = results[i];
                    var exact = VectorKernels.Dot(query, data.Vectors[(int)r.Label]);
                    if (r.Label >= (ulong)added || Math.Abs(exact - r.Similarity) > 1e-4 || (i > 0 && results[i - 1].Similarity < r.Similarity))
                    {
                        lock (failures)
                        {
                            failures.Add($"result {i}: label {r.Label} (added {added}), similarity {r.Similarity} vs exact {exact}");
                        }
                    }
                }

                Interlocked.Increment(ref searches);
            }
        })).ToArray();

        for (var i = 0; i < data.Vectors.Length; i++)
        {
            index.Add((ulong)i, data.Vectors[i]);
            Volatile.Write(ref inserted, i + 1);
        }

        await Task.WhenAll(searchers);
        Assert.Empty(failures);
        Assert.True(searches > 100, $"only {searches} searches ran concurrently");
        Assert.Equal(data.Vectors.Length, index.Count);
        var recall = data.Recall(index, fixture.Truth, K);
        Assert.True(recall >= 0.95, $"recall@10 = {recall:F4}");
    }

    [Fact]
    public async Task LabelsRemovedBeforeASearchStartsNeverAppearWhileRemovesAndReinsertsRun()
    {
        var data = fixture.Data;
        using var index = fixture.Copy();
        var order = Enumerable.Range(0, data.Vectors.Length).Where(i => i % 4 == 1).Select(i => (ulong)i).ToArray();
        var removedCount = 0;
        var done = false;
        var failures = new List<string>();

        var searchers = Enumerable.Range(0, 2).Select(worker => Task.Run(() =>
        {
            var results = new SearchResult[50];
            var q = worker;
            while (!Volatile.Read(ref done))
            {
                var before = Volatile.Read(ref removedCount);
                var query = data.Queries[q++ % data.Queries.Length];
                var n = index.Search(query, 50, results, ef: 100);
                var removed = order.AsSpan(0, before).ToArray().ToHashSet();
                foreach (var r in results[..n])
                {
                    // A replaced label holds its old or its new vector, never a mix of the two (a torn read).
                    var old = VectorKernels.Dot(query, data.Vectors[(int)r.Label]);
                    var replacement = VectorKernels.Dot(query, data.Vectors[Replacement((int)r.Label)]);
                    if (removed.Contains(r.Label) || Math.Min(Math.Abs(old - r.Similarity), Math.Abs(replacement - r.Similarity)) > 1e-4)
                    {
                        lock (failures)
                        {
                            failures.Add($"label {r.Label}: removed before the search = {removed.Contains(r.Label)}, similarity {r.Similarity} vs {old} or {replacement}");
                        }
                    }
                }
            }
        })).ToArray();

        // Removed labels stay removed; some other labels get a different vector meanwhile (re-linking their slots).
        for (var i = 0; i < order.Length; i++)
        {
            index.Remove(order[i]);
            Volatile.Write(ref removedCount, i + 1);
            if (i % 10 == 0)
            {
                var label = (i * 4) % data.Vectors.Length;
                if (label % 4 != 1)
                {
                    index.Add((ulong)label, data.Vectors[Replacement(label)]);
                }
            }
        }

        Volatile.Write(ref done, true);
        await Task.WhenAll(searchers);
        Assert.Empty(failures);
        Assert.Equal(data.Vectors.Length - order.Length, index.Count);
    }

    private static int Replacement(int label) => (label + 7) % 20_000;
}
