using BenchmarkDotNet.Attributes;
using EdgeRouter.Vectors;
using EdgeRouter.Vectors.Hnsw;

namespace EdgeRouter.Benchmarks.Vectors;

/// <summary>
/// One k = 10 search in a fixed HNSW index of 10,000 × 384 clustered unit vectors (M = 16, efConstruction = 200), by
/// search ef, with float32 records or int8 records re-ranked in float32; the exact scan of the same vectors is the
/// baseline. Each invocation searches the next of 100 queries. The index is built once per configuration (~3 s).
///   dotnet run -c Release --project bench/EdgeRouter.Benchmarks -- --filter '*HnswSearchBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class HnswSearchBenchmarks
{
    private const int Count = 10_000;
    private const int Dimension = 384;
    private static readonly Dictionary<bool, HnswIndex> Indexes = [];
    private static (float[][] Vectors, float[][] Queries) _data;
    private static BruteForceIndex? _exact;
    private readonly SearchResult[] _results = new SearchResult[10];
    private HnswIndex _index = null!;
    private int _next;

    [Params(16, 32, 64, 128)]
    public int Ef { get; set; }

    [Params(false, true)]
    public bool Quantize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (_data.Vectors is null)
        {
            _data = VectorData.Clustered(Count, 100, Dimension, clusters: 100, sigma: 0.05f, seed: 42);
            _exact = new BruteForceIndex(Dimension, Count);
            for (var i = 0; i < Count; i++)
            {
                _exact.Add((ulong)i, _data.Vectors[i]);
            }
        }

        if (!Indexes.TryGetValue(Quantize, out var index))
        {
            index = new HnswIndex(new HnswOptions { Dimension = Dimension, M = 16, EfConstruction = 200, Seed = 42, InitialCapacity = Count, Quantize = Quantize });
            for (var i = 0; i < Count; i++)
            {
                index.Add((ulong)i, _data.Vectors[i]);
            }

            Indexes[Quantize] = index;
        }

        _index = index;
    }

    [Benchmark(Baseline = true)]
    public int ExactScan() => _exact!.Search(NextQuery(), 10, _results);

    [Benchmark]
    public int Search() => _index.Search(NextQuery(), 10, _results, Ef);

    private float[] NextQuery() => _data.Queries[_next++ % _data.Queries.Length];
}
