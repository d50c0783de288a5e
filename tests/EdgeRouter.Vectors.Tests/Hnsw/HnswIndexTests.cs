using EdgeRouter.Vectors;
using EdgeRouter.Vectors.Hnsw;

namespace EdgeRouter.Tests.Hnsw;

public class HnswIndexTests
{
    private static HnswOptions Small(int dimension = 8) => new() { Dimension = dimension, M = 8, EfConstruction = 64, Ef = 32, Seed = 5, InitialCapacity = 16 };

    private static float[] RandomVector(Random random, int dimension) =>
        [.. Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() - 0.5))];

    [Fact]
    public void AnEmptyIndexFindsNothing()
    {
        using var index = new HnswIndex(Small());
        var results = new SearchResult[3];

        Assert.Equal(0, index.Search(new float[8] { 1, 0, 0, 0, 0, 0, 0, 0 }, 3, results));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void ASingleVectorIsFoundWithSimilarityOne()
    {
        using var index = new HnswIndex(Small(3));
        index.Add(42, [3, 0, 4]);
        var results = new SearchResult[5];

        var n = index.Search([6, 0, 8], 5, results);

        Assert.Equal(1, n);
        Assert.Equal(42UL, results[0].Label);
        Assert.Equal(1f, results[0].Similarity, 5);
    }

    [Fact]
    public void ResultsComeBestFirstWithCosineSimilarities()
    {
        var random = new Random(1);
        using var index = new HnswIndex(Small());
        using var exact = new BruteForceIndex(8);
        for (ulong label = 0; label < 500; label++)
        {
            var v = RandomVector(random, 8);
            index.Add(label, v);
            exact.Add(label, v);
        }

        var query = RandomVector(random, 8);
        var results = new SearchResult[10];
        var expected = new SearchResult[10];
        var n = index.Search(query, 10, results, ef: 200);
        exact.Search(query, 10, expected);

        Assert.Equal(10, n);
        Assert.Equal(expected.Select(r => r.Label), results.Select(r => r.Label));
        Assert.Equal(expected.Select(r => r.Similarity), results.Select(r => r.Similarity), (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void TheIndexGrowsPastItsInitialCapacity()
    {
        var random = new Random(2);
        using var index = new HnswIndex(Small() with { InitialCapacity = 1 });
        for (ulong label = 0; label < 3000; label++)
        {
            index.Add(label, RandomVector(random, 8));
        }

        Assert.Equal(3000, index.Count);
        Assert.True(index.Capacity >= 3000);
        Assert.True(index.NativeMemoryBytes >= 3000L * index.RecordBytes);
    }

    [Fact]
    public void SlotReuseKeepsCountRight()
    {
        var random = new Random(3);
        using var index = new HnswIndex(Small());
        for (ulong label = 0; label < 100; label++)
        {
            index.Add(label, RandomVector(random, 8));
        }

        for (ulong label = 0; label < 100; label += 3)
        {
            Assert.True(index.Remove(label));
        }

        Assert.False(index.Remove(0));
        Assert.False(index.Remove(1000));
        Assert.Equal(66, index.Count);
        Assert.False(index.Contains(3));
        Assert.True(index.Contains(4));

        for (ulong label = 1000; label < 1034; label++)
        {
            index.Add(label, RandomVector(random, 8));
        }

        Assert.Equal(100, index.Count);
        Assert.Equal(100, index.SlotCount);
        index.Add(1000, RandomVector(random, 8)); // a replacement, not a new label
        Assert.Equal(100, index.Count);
        index.Add(2000, RandomVector(random, 8)); // no free slot left: a new one
        Assert.Equal(101, index.Count);
        Assert.Equal(101, index.SlotCount);
    }

    [Fact]
    public void AReusedSlotIsFoundAtItsNewPosition()
    {
        var random = new Random(4);
        using var index = new HnswIndex(Small(16));
        var vectors = Enumerable.Range(0, 400).Select(_ => RandomVector(random, 16)).ToArray();
        for (var i = 0; i < vectors.Length; i++)
        {
            index.Add((ulong)i, vectors[i]);
        }

        var results = new SearchResult[1];
        for (var i = 0; i < 100; i++)
        {
            index.Remove((ulong)i);
        }

        // Every new vector lands in a recycled slot; each must be its own nearest neighbour, and so must the old ones.
        var fresh = Enumerable.Range(0, 100).Select(_ => RandomVector(random, 16)).ToArray();
        for (var i = 0; i < fresh.Length; i++)
        {
            index.Add((ulong)(10_000 + i), fresh[i]);
        }

        Assert.Equal(400, index.SlotCount);
        for (var i = 0; i < fresh.Length; i++)
        {
            index.Search(fresh[i], 1, results);
            Assert.Equal((ulong)(10_000 + i), results[0].Label);
        }

        for (var i = 100; i < vectors.Length; i++)
        {
            index.Search(vectors[i], 1, results);
            Assert.Equal((ulong)i, results[0].Label);
        }
    }

    [Fact]
    public void ReplacingALabelMovesItsVector()
    {
        var random = new Random(5);
        using var index = new HnswIndex(Small());
        for (ulong label = 0; label < 200; label++)
        {
            index.Add(label, RandomVector(random, 8));
        }

        var moved = RandomVector(random, 8);
        index.Add(7, moved);
        var results = new SearchResult[1];
        index.Search(moved, 1, results);

        Assert.Equal(7UL, results[0].Label);
        Assert.Equal(1f, results[0].Similarity, 5);
        Assert.Equal(200, index.Count);
    }

    [Fact]
    public void TombstonedLabelsNeverAppear()
    {
        var random = new Random(6);
        using var index = new HnswIndex(Small());
        var vectors = Enumerable.Range(0, 1000).Select(_ => RandomVector(random, 8)).ToArray();
        for (var i = 0; i < vectors.Length; i++)
        {
            index.Add((ulong)i, vectors[i]);
        }

        var removed = new HashSet<ulong>();
        for (ulong label = 0; label < 1000; label += 5)
        {
            index.Remove(label);
            removed.Add(label);
        }

        var results = new SearchResult[100];
        foreach (var v in vectors)
        {
            var n = index.Search(v, 100, results, ef: 200);
            Assert.Equal(100, n);
            Assert.DoesNotContain(results[..n], r => removed.Contains(r.Label));
        }
    }

    [Fact]
    public void RemovingEveryLabelLeavesAnIndexThatFindsNothingAndCanBeRefilled()
    {
        var random = new Random(7);
        using var index = new HnswIndex(Small());
        for (ulong label = 0; label < 50; label++)
        {
            index.Add(label, RandomVector(random, 8));
        }

        for (ulong label = 0; label < 50; label++)
        {
            index.Remove(label);
        }

        var results = new SearchResult[5];
        Assert.Equal(0, index.Search(RandomVector(random, 8), 5, results));

        var v = RandomVector(random, 8);
        index.Add(99, v);
        Assert.Equal(1, index.Search(v, 5, results));
        Assert.Equal(99UL, results[0].Label);
    }

    [Fact]
    public void TheSameSeedAndWritesGiveAByteIdenticalIndex()
    {
        static byte[] Snapshot(ulong seed)
        {
            var random = new Random(8);
            using var index = new HnswIndex(Small() with { Seed = seed });
            for (ulong label = 0; label < 2000; label++)
            {
                index.Add(label, RandomVector(random, 8));
                if (label % 7 == 0)
                {
                    index.Remove(label / 2);
                }
            }

            using var stream = new MemoryStream();
            index.Save(stream);
            return stream.ToArray();
        }

        Assert.Equal(Snapshot(11), Snapshot(11));
        Assert.NotEqual(Snapshot(11)[128..], Snapshot(12)[128..]); // the graph itself differs, not only the header
    }

    [Fact]
    public void ALoadedIndexContinuesExactlyAsTheOriginalWould()
    {
        var random = new Random(9);
        var vectors = Enumerable.Range(0, 600).Select(_ => RandomVector(random, 8)).ToArray();
        using var original = new HnswIndex(Small());
        for (var i = 0; i < 300; i++)
        {
            original.Add((ulong)i, vectors[i]);
        }

        original.Remove(10);
        original.Remove(20);
        using var stream = new MemoryStream();
        original.Save(stream);
        stream.Position = 0;
        using var loaded = HnswIndex.Load(stream);
        for (var i = 300; i < 600; i++)
        {
            original.Add((ulong)i, vectors[i]);
            loaded.Add((ulong)i, vectors[i]);
        }

        using var a = new MemoryStream();
        using var b = new MemoryStream();
        original.Save(a);
        loaded.Save(b);
        Assert.Equal(a.ToArray(), b.ToArray());
    }

    [Fact]
    public void SearchAllocatesNothingOnceWarm()
    {
        var random = new Random(10);
        foreach (var quantize in new[] { false, true })
        {
            using var index = new HnswIndex(Small(32) with { Quantize = quantize });
            for (ulong label = 0; label < 2000; label++)
            {
                index.Add(label, RandomVector(random, 32));
            }

            var query = RandomVector(random, 32);
            var results = new SearchResult[10];
            for (var i = 0; i < 10; i++)
            {
                index.Search(query, 10, results);
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                index.Search(query, 10, results, ef: 64);
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void InvalidArgumentsAreRejected()
    {
        using var index = new HnswIndex(Small(3));
        index.Add(1, [1, 2, 3]);
        var results = new SearchResult[2];

        Assert.Throws<ArgumentException>(() => index.Add(2, [1, 2]));
        Assert.Throws<ArgumentException>(() => index.Add(2, [0, 0, 0]));
        Assert.Throws<ArgumentException>(() => index.Add(2, [float.NaN, 0, 1]));
        Assert.Throws<ArgumentException>(() => index.Add(2, [float.PositiveInfinity, 0, 1]));
        Assert.Throws<ArgumentException>(() => index.Search([1, 2], 1, results));
        Assert.Throws<ArgumentException>(() => index.Search([0, 0, 0], 1, results));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search([1, 2, 3], 0, results));
        Assert.Throws<ArgumentException>(() => index.Search([1, 2, 3], 3, results));
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void OptionsReportEveryProblemAtOnce()
    {
        var options = new HnswOptions { Dimension = 0, M = 1, EfConstruction = 0, Ef = 0, InitialCapacity = 0, RerankFactor = 0 };

        var errors = options.Validate();

        Assert.Equal(6, errors.Count);
        var error = Assert.Throws<ArgumentException>(() => new HnswIndex(options));
        Assert.Contains("Dimension must be in [1, 65536], got 0.", error.Message);
        Assert.Contains("M must be in [2, 128], got 1.", error.Message);
        Assert.Empty(Small().Validate());
    }

    [Fact]
    public void ADisposedIndexRefusesWork()
    {
        var index = new HnswIndex(Small(3));
        index.Add(1, [1, 2, 3]);
        index.Dispose();

        Assert.Throws<ObjectDisposedException>(() => index.Search([1, 2, 3], 1, new SearchResult[1]));
        Assert.Throws<ObjectDisposedException>(() => index.Add(2, [1, 2, 3]));
        Assert.Throws<ObjectDisposedException>(() => index.Remove(1));
    }
}
