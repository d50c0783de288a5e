using System.Diagnostics;
using EdgeRouter.Vectors;
using EdgeRouter.Vectors.Hnsw;
using Xunit.Abstractions;

namespace EdgeRouter.Tests.Hnsw;

public class HnswRecallTests(ClusteredIndexFixture fixture, ITestOutputHelper output) : IClassFixture<ClusteredIndexFixture>
{
    private const int K = ClusteredIndexFixture.K;

    [Fact]
    public void RecallAt10AgainstBruteForceIsAtLeast95PercentOnClusteredData()
    {
        var recall = fixture.Data.Recall(fixture.Index, fixture.Truth, K);
        output.WriteLine($"recall@10 at ef 64: {recall:F4}");
        Assert.True(recall >= 0.95, $"recall@10 = {recall:F4}");
    }

    [Fact]
    public void RecallGrowsWithEf()
    {
        var low = fixture.Data.Recall(fixture.Index, fixture.Truth, K, (i, q, r) => ((HnswIndex)i).Search(q, K, r, ef: 10));
        var high = fixture.Data.Recall(fixture.Index, fixture.Truth, K, (i, q, r) => ((HnswIndex)i).Search(q, K, r, ef: 200));
        output.WriteLine($"recall@10 at ef 10: {low:F4}, at ef 200: {high:F4}");
        Assert.True(high >= low);
        Assert.True(high >= 0.99, $"recall@10 at ef 200 = {high:F4}");
    }

    [Fact]
    public void RecallDoesNotCollapseAfterDeletingAFifthAndReinsertingIt()
    {
        using var index = fixture.Copy();
        var removed = Enumerable.Range(0, fixture.Data.Vectors.Length).Where(i => i % 5 == 2).ToArray();
        foreach (var label in removed)
        {
            Assert.True(index.Remove((ulong)label));
        }

        var kept = Enumerable.Range(0, fixture.Data.Vectors.Length).Where(i => i % 5 != 2);
        var afterDelete = fixture.Data.Recall(index, fixture.Data.GroundTruth(K, kept), K);

        var watch = Stopwatch.StartNew();
        foreach (var label in removed)
        {
            index.Add((ulong)label, fixture.Data.Vectors[label]);
        }

        var afterReinsert = fixture.Data.Recall(index, fixture.Truth, K);
        // At a small ef the recall is far from 1, so a graph damaged by the reuse shows up here first.
        var freshAtEf16 = fixture.Data.Recall(fixture.Index, fixture.Truth, K, (i, q, r) => ((HnswIndex)i).Search(q, K, r, ef: 16));
        var reusedAtEf16 = fixture.Data.Recall(index, fixture.Truth, K, (i, q, r) => ((HnswIndex)i).Search(q, K, r, ef: 16));
        output.WriteLine($"recall@10 after deleting 20%: {afterDelete:F4}; after reinserting ({watch.ElapsedMilliseconds} ms): {afterReinsert:F4}; " +
            $"at ef 16: {reusedAtEf16:F4} (fresh build {freshAtEf16:F4})");
        Assert.Equal(fixture.Data.Vectors.Length, index.Count);
        Assert.Equal(fixture.Data.Vectors.Length, index.SlotCount);
        Assert.True(afterDelete >= 0.95, $"recall@10 after deletes = {afterDelete:F4}");
        Assert.True(afterReinsert >= 0.95, $"recall@10 after reinserting = {afterReinsert:F4}");
        Assert.True(reusedAtEf16 >= freshAtEf16 - 0.02, $"recall@10 at ef 16 fell from {freshAtEf16:F4} to {reusedAtEf16:F4}");
    }

    [Fact]
    public void SaveThenLoadGivesTheSameResultsAndRecall()
    {
        using var loaded = fixture.Copy();
        var before = new SearchResult[K];
        var after = new SearchResult[K];
        foreach (var query in fixture.Data.Queries)
        {
            Assert.Equal(fixture.Index.Search(query, K, before), loaded.Search(query, K, after));
            Assert.Equal(before, after);
        }

        Assert.Equal(fixture.Index.Count, loaded.Count);
        Assert.True(fixture.Data.Recall(loaded, fixture.Truth, K) >= 0.95);
    }

    [Fact]
    public void Int8QuantisationWithFloatRerankingKeepsRecall()
    {
        var watch = Stopwatch.StartNew();
        using var index = fixture.Build(ClusteredIndexFixture.Options with { Quantize = true, RerankFactor = 4 });
        var built = watch.ElapsedMilliseconds;
        var recall = fixture.Data.Recall(index, fixture.Truth, K);
        output.WriteLine($"quantised: built in {built} ms, recall@10 at ef 64 with re-ranking of 40: {recall:F4}");
        Assert.True(recall >= 0.95, $"recall@10 = {recall:F4}");

        // Re-ranked similarities are exact: they match the brute-force ones.
        var results = new SearchResult[K];
        var n = index.Search(fixture.Data.Queries[0], K, results);
        foreach (var result in results[..n])
        {
            var exact = Vectors.Kernels.VectorKernels.Dot(fixture.Data.Queries[0], fixture.Data.Vectors[(int)result.Label]);
            Assert.Equal(exact, result.Similarity, 4);
        }
    }
}
