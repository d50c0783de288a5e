using EdgeRouter.Vectors.Hnsw;

namespace EdgeRouter.Tests.Hnsw;

/// <summary>One 20,000 × 64 clustered data set, its ground truth and an index built over it, shared by a test class.
/// Tests that change an index work on a copy made through Save/Load.</summary>
public sealed class ClusteredIndexFixture : IDisposable
{
    public const int K = 10;

    public ClusteredIndexFixture()
    {
        Data = new ClusteredData(count: 20_000, queries: 200, dimension: 64, clusters: 200, sigma: 0.15f, seed: 7);
        Truth = Data.GroundTruth(K);
        Index = Build(Options);
    }

    internal static HnswOptions Options => new() { Dimension = 64, M = 16, EfConstruction = 200, Ef = 64, Seed = 1234, InitialCapacity = 20_000 };

    internal ClusteredData Data { get; }

    internal ulong[][] Truth { get; }

    internal HnswIndex Index { get; }

    internal HnswIndex Build(HnswOptions options)
    {
        var index = new HnswIndex(options);
        for (var i = 0; i < Data.Vectors.Length; i++)
        {
            index.Add((ulong)i, Data.Vectors[i]);
        }

        return index;
    }

    internal HnswIndex Copy()
    {
        using var stream = new MemoryStream();
        Index.Save(stream);
        stream.Position = 0;
        return HnswIndex.Load(stream);
    }

    public void Dispose() => Index.Dispose();
}
