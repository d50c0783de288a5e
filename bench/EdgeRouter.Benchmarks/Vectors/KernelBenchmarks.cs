using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using EdgeRouter.Vectors.Kernels;

namespace EdgeRouter.Benchmarks.Vectors;

/// <summary>
/// The float kernels against <see cref="TensorPrimitives"/>, which is the baseline of each comparison: dot product
/// against <c>TensorPrimitives.Dot</c>, squared distance against <c>TensorPrimitives.Distance</c> (which adds one
/// square root). 384 and 768 are the embedding sizes the gateway uses; the odd lengths exercise the tails.
/// The *V256 rows run the AVX2 path on an AVX-512 machine: that is the code the shipped x86-x64-v3 binary runs.
/// Inputs start on a 64-byte boundary, as vectors in the HNSW slab and its query buffer do (TensorPrimitives aligns
/// one input itself when it is longer than 8 registers; ours do not, so unaligned spans favour it slightly).
///   dotnet run -c Release --project bench/EdgeRouter.Benchmarks -- --filter '*KernelBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class KernelBenchmarks
{
    private float[] _xBuffer = [];
    private float[] _yBuffer = [];
    private int _xOffset;
    private int _yOffset;

    [Params(7, 100, 384, 391, 768, 1001)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        (_xBuffer, _xOffset) = Aligned(Length);
        (_yBuffer, _yOffset) = Aligned(Length);
        for (var i = 0; i < Length; i++)
        {
            _xBuffer[_xOffset + i] = (float)(random.NextDouble() - 0.5);
            _yBuffer[_yOffset + i] = (float)(random.NextDouble() - 0.5);
        }
    }

    private ReadOnlySpan<float> X => _xBuffer.AsSpan(_xOffset, Length);

    private ReadOnlySpan<float> Y => _yBuffer.AsSpan(_yOffset, Length);

    [Benchmark(Baseline = true), BenchmarkCategory("Dot")]
    public float TensorPrimitivesDot() => TensorPrimitives.Dot(X, Y);

    [Benchmark, BenchmarkCategory("Dot")]
    public float KernelDot() => VectorKernels.Dot(X, Y);

    [Benchmark, BenchmarkCategory("Dot")]
    public float KernelDotV256() => VectorKernels.DotV256(ref _xBuffer[_xOffset], ref _yBuffer[_yOffset], Length);

    [Benchmark(Baseline = true), BenchmarkCategory("L2")]
    public float TensorPrimitivesDistance() => TensorPrimitives.Distance(X, Y);

    [Benchmark, BenchmarkCategory("L2")]
    public float KernelSquaredDistance() => VectorKernels.SquaredDistance(X, Y);

    [Benchmark, BenchmarkCategory("L2")]
    public float KernelSquaredDistanceV256() => VectorKernels.SquaredDistanceV256(ref _xBuffer[_xOffset], ref _yBuffer[_yOffset], Length);

    /// <summary>A pinned array and the index of its first element on a 64-byte boundary.</summary>
    private static unsafe (float[] Buffer, int Offset) Aligned(int length)
    {
        var buffer = GC.AllocateArray<float>(length + 16, pinned: true);
        fixed (float* p = buffer)
        {
            return (buffer, (int)((64 - ((nuint)p % 64)) % 64 / sizeof(float)));
        }
    }
}
