using BenchmarkDotNet.Attributes;
using EdgeRouter.Vectors.Kernels;

namespace EdgeRouter.Benchmarks.Vectors;

/// <summary>
/// The int8 dot product at each SIMD width (the scalar loop is the baseline), next to the float dot product of the
/// same length. TensorPrimitives has no int8 dot product that widens to int32, so there is no library row here.
///   dotnet run -c Release --project bench/EdgeRouter.Benchmarks -- --filter '*Int8KernelBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class Int8KernelBenchmarks
{
    private sbyte[] _x = [];
    private sbyte[] _y = [];
    private float[] _fx = [];
    private float[] _fy = [];

    [Params(384, 768, 1001)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _x = new sbyte[Length];
        _y = new sbyte[Length];
        _fx = new float[Length];
        _fy = new float[Length];
        for (var i = 0; i < Length; i++)
        {
            _x[i] = (sbyte)random.Next(-127, 128);
            _y[i] = (sbyte)random.Next(-127, 128);
            _fx[i] = _x[i];
            _fy[i] = _y[i];
        }
    }

    [Benchmark(Baseline = true)]
    public int Scalar() => VectorKernels.DotInt8Scalar(ref _x[0], ref _y[0], Length);

    [Benchmark]
    public int V128() => VectorKernels.DotInt8V128(ref _x[0], ref _y[0], Length);

    [Benchmark]
    public int V256() => VectorKernels.DotInt8V256(ref _x[0], ref _y[0], Length);

    [Benchmark]
    public int V512() => VectorKernels.DotInt8V512(ref _x[0], ref _y[0], Length);

    [Benchmark]
    public float FloatDot() => VectorKernels.Dot(_fx, _fy);
}
