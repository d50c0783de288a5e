using EdgeRouter.Vectors;

namespace EdgeRouter.Tests;

public class BruteForceIndexTests
{
    [Fact]
    public void SearchReturnsTheExactTopKBestFirst()
    {
        using var index = new BruteForceIndex(2, initialCapacity: 1);
        index.Add(1, [1, 0]);
        index.Add(2, [0, 1]);
        index.Add(3, [1, 1]);
        index.Add(4, [-1, 0]);
        var results = new SearchResult[3];

        var n = index.Search([2, 0.2f], 3, results);

        Assert.Equal(3, n);
        Assert.Equal([1UL, 3UL, 2UL], results.Select(r => r.Label));
        Assert.Equal(2 / MathF.Sqrt(4.04f), results[0].Similarity, 5);
        Assert.Equal(4, index.Count);
    }

    [Fact]
    public void RemoveAndReplaceKeepTheLabelsConsistent()
    {
        using var index = new BruteForceIndex(2);
        index.Add(1, [1, 0]);
        index.Add(2, [0, 1]);
        index.Add(3, [-1, 0]);
        Assert.True(index.Remove(1));
        Assert.False(index.Remove(1));
        index.Add(2, [1, 0.01f]);
        var results = new SearchResult[3];

        var n = index.Search([1, 0], 3, results);

        Assert.Equal(2, n);
        Assert.Equal([2UL, 3UL], results[..n].Select(r => r.Label));
        Assert.True(index.Contains(3));
        Assert.False(index.Contains(1));
    }

    [Fact]
    public void ZeroAndMalformedVectorsAreRejectedWithoutChangingTheIndex()
    {
        using var index = new BruteForceIndex(2);
        index.Add(1, [1, 0]);

        Assert.Throws<ArgumentException>(() => index.Add(1, [0, 0]));
        Assert.Throws<ArgumentException>(() => index.Add(1, [1, 0, 0]));
        var results = new SearchResult[1];
        index.Search([1, 0], 1, results);
        Assert.Equal(new SearchResult(1, 1), results[0]);
    }
}
