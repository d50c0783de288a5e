using EdgeRouter.Vectors.Kernels;

namespace EdgeRouter.Tests.Kernels;

public class VectorKernelsTests
{
    private const int MaxLength = 1024;

    // Each width is tested on its own (it hands shorter inputs down the cascade, so a short length also covers the
    // narrower paths). Inputs sit at the start of a larger buffer whose remainder is poisoned (NaN / 127), so a
    // kernel that read past the end of its span would fail.
    public static TheoryData<KernelWidth> Widths => new(VectorKernels.SupportedWidths);

    [Fact]
    public void TheChosenWidthIsTheWidestTheMachineAccelerates()
    {
        Assert.Equal(VectorKernels.SupportedWidths[0], VectorKernels.Width);
        Assert.Equal(KernelWidth.Scalar, VectorKernels.SupportedWidths[^1]);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void DotMatchesADoublePrecisionReferenceForEveryLengthUpTo1024(KernelWidth width)
    {
        var (x, y) = PoisonedFloats(seed: 1);
        for (var length = 0; length <= MaxLength; length++)
        {
            double expected = 0, magnitude = 0;
            for (var i = 0; i < length; i++)
            {
                expected += (double)x[i] * y[i];
                magnitude += Math.Abs((double)x[i] * y[i]);
            }

            var actual = FloatDot(width, x, y, length);
            AssertClose(expected, magnitude, actual, length);
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void SquaredDistanceMatchesADoublePrecisionReferenceForEveryLengthUpTo1024(KernelWidth width)
    {
        var (x, y) = PoisonedFloats(seed: 2);
        for (var length = 0; length <= MaxLength; length++)
        {
            double expected = 0;
            for (var i = 0; i < length; i++)
            {
                var d = (double)x[i] - y[i];
                expected += d * d;
            }

            var actual = SquaredDistance(width, x, y, length);
            AssertClose(expected, expected, actual, length);
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Int8DotIsExactForEveryLengthUpTo1024(KernelWidth width)
    {
        var random = new Random(3);
        var x = new sbyte[MaxLength + 128];
        var y = new sbyte[MaxLength + 128];
        Array.Fill(x, sbyte.MaxValue);
        Array.Fill(y, sbyte.MaxValue);
        for (var length = 0; length <= MaxLength; length++)
        {
            // Fresh values, the extremes included, in front of the poisoned remainder.
            for (var i = 0; i < length; i++)
            {
                x[i] = (sbyte)random.Next(sbyte.MinValue, sbyte.MaxValue + 1);
                y[i] = (sbyte)random.Next(sbyte.MinValue, sbyte.MaxValue + 1);
            }

            long expected = 0;
            for (var i = 0; i < length; i++)
            {
                expected += x[i] * y[i];
            }

            Array.Fill(x, sbyte.MaxValue, length, x.Length - length);
            Array.Fill(y, sbyte.MaxValue, length, y.Length - length);
            Assert.Equal(expected, Int8Dot(width, x, y, length));
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Int8DotOfTheMostNegativeValuesDoesNotOverflowAtTheLengthLimit(KernelWidth width)
    {
        var x = new sbyte[VectorKernels.MaxInt8Length];
        Array.Fill(x, sbyte.MinValue);

        Assert.Equal(131_071L * 128 * 128, Int8Dot(width, x, x, x.Length));
    }

    [Fact]
    public void ThePublicKernelsAgreeWithTheirReferences()
    {
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
        float[] y = [.. x.Select(v => 18 - v)];
        sbyte[] a = [.. x.Select(v => (sbyte)(v * 7))];
        sbyte[] b = [.. y.Select(v => (sbyte)(-v * 7))];

        Assert.Equal(x.Zip(y, (p, q) => p * q).Sum(), VectorKernels.Dot(x, y));
        Assert.Equal(x.Zip(y, (p, q) => (p - q) * (p - q)).Sum(), VectorKernels.SquaredDistance(x, y));
        Assert.Equal(a.Zip(b, (p, q) => p * q).Sum(), VectorKernels.Dot(a, b));
        Assert.Equal(0, VectorKernels.Dot(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty));
    }

    [Fact]
    public void KernelsRejectInputsOfDifferentLengths()
    {
        Assert.Throws<ArgumentException>(() => VectorKernels.Dot(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => VectorKernels.SquaredDistance(new float[3], new float[2]));
        Assert.Throws<ArgumentException>(() => VectorKernels.Dot(new sbyte[3], new sbyte[4]));
        Assert.Throws<ArgumentException>(() => VectorKernels.Dot(new sbyte[VectorKernels.MaxInt8Length + 1], new sbyte[VectorKernels.MaxInt8Length + 1]));
    }

    [Fact]
    public void NormalizeScalesToUnitLengthAndReturnsTheOriginalLength()
    {
        float[] v = [3, 0, 4];
        var result = new float[3];

        var norm = VectorKernels.Normalize(v, result);

        Assert.Equal(5, norm, 5);
        Assert.Equal([0.6f, 0f, 0.8f], result, (p, q) => Math.Abs(p - q) < 1e-6);
        Assert.Equal(0, VectorKernels.Normalize(new float[3], result));
    }

    private static (float[] X, float[] Y) PoisonedFloats(int seed)
    {
        var random = new Random(seed);
        var x = new float[MaxLength + 64];
        var y = new float[MaxLength + 64];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = (float)((random.NextDouble() * 2) - 1);
            y[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return (x, y);
    }

    private static void AssertClose(double expected, double magnitude, float actual, int length)
    {
        // Float accumulation error grows with the length and the size of the terms, not with the (possibly
        // cancelling) result, so the tolerance is relative to Σ|term|.
        var tolerance = (2e-6 * magnitude) + 1e-6;
        Assert.True(Math.Abs(actual - expected) <= tolerance,
            $"length {length}: expected {expected}, got {actual} (tolerance {tolerance})");
    }

    private static float FloatDot(KernelWidth width, float[] source, float[] other, int length)
    {
        var (x, y) = (Poisoned(source, length), Poisoned(other, length));
        return width switch
        {
            KernelWidth.Vector512 => VectorKernels.DotV512(ref x[0], ref y[0], length),
            KernelWidth.Vector256 => VectorKernels.DotV256(ref x[0], ref y[0], length),
            KernelWidth.Vector128 => VectorKernels.DotV128(ref x[0], ref y[0], length),
            _ => VectorKernels.DotScalar(ref x[0], ref y[0], length),
        };
    }

    private static float SquaredDistance(KernelWidth width, float[] source, float[] other, int length)
    {
        var (x, y) = (Poisoned(source, length), Poisoned(other, length));
        return width switch
        {
            KernelWidth.Vector512 => VectorKernels.SquaredDistanceV512(ref x[0], ref y[0], length),
            KernelWidth.Vector256 => VectorKernels.SquaredDistanceV256(ref x[0], ref y[0], length),
            KernelWidth.Vector128 => VectorKernels.SquaredDistanceV128(ref x[0], ref y[0], length),
            _ => VectorKernels.SquaredDistanceScalar(ref x[0], ref y[0], length),
        };
    }

    /// <summary>The first <paramref name="length"/> values followed by 64 NaNs.</summary>
    private static float[] Poisoned(float[] source, int length)
    {
        var copy = new float[length + 64];
        Array.Fill(copy, float.NaN);
        Array.Copy(source, copy, length);
        return copy;
    }

    private static int Int8Dot(KernelWidth width, sbyte[] x, sbyte[] y, int length) => width switch
    {
        KernelWidth.Vector512 => VectorKernels.DotInt8V512(ref x[0], ref y[0], length),
        KernelWidth.Vector256 => VectorKernels.DotInt8V256(ref x[0], ref y[0], length),
        KernelWidth.Vector128 => VectorKernels.DotInt8V128(ref x[0], ref y[0], length),
        _ => VectorKernels.DotInt8Scalar(ref x[0], ref y[0], length),
    };
}
