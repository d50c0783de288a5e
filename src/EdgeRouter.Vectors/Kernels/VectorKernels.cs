using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeRouter.Vectors.Kernels;

/// <summary>
/// Similarity kernels for embedding vectors: dot product (the cosine similarity of unit-length vectors) and squared
/// Euclidean distance over <see cref="float"/> spans, and the dot product of <see cref="sbyte"/> spans with an
/// <see cref="int"/> result (for int8-quantised vectors).
/// </summary>
/// <remarks>
/// <para>
/// Every kernel has a 512-bit (AVX-512), 256-bit (AVX2) and 128-bit (SSE, NEON) implementation and a scalar one; the
/// widest one the hardware accelerates is chosen once, in <see cref="Width"/>, and each implementation hands lengths
/// shorter than its own register to the next narrower one (512 → 256 → 128 → scalar). The tail of a long input is
/// handled by one masked reload of the last full register, not a scalar loop. The float kernels accumulate in four
/// independent registers with fused multiply-add.
/// </para>
/// <para>
/// Why hand-written kernels rather than <c>System.Numerics.Tensors.TensorPrimitives.Dot</c> and <c>Distance</c>:
/// <c>bench/EdgeRouter.Benchmarks/Vectors/KernelBenchmarks.cs</c> compares them; the numbers and the decision are
/// recorded in the remarks of <see cref="Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> and
/// <see cref="SquaredDistance(ReadOnlySpan{float}, ReadOnlySpan{float})"/>. TensorPrimitives has no int8 dot product
/// that widens to int32, so that kernel is ours by necessity.
/// </para>
/// <para>All members are pure functions of their arguments and safe to call from any thread.</para>
/// </remarks>
public static partial class VectorKernels
{
    /// <summary>The SIMD width the kernels use on this machine, chosen once from <c>IsHardwareAccelerated</c>.</summary>
    public static readonly KernelWidth Width =
        Vector512.IsHardwareAccelerated ? KernelWidth.Vector512 :
        Vector256.IsHardwareAccelerated ? KernelWidth.Vector256 :
        Vector128.IsHardwareAccelerated ? KernelWidth.Vector128 :
        KernelWidth.Scalar;

    /// <summary>The largest length for which <see cref="Dot(ReadOnlySpan{sbyte}, ReadOnlySpan{sbyte})"/> cannot overflow.</summary>
    /// <remarks>Each product is at most 128 × 128 = 2^14 in magnitude, so 2^17 − 1 of them sum to less than 2^31.</remarks>
    public const int MaxInt8Length = (1 << 17) - 1;

    /// <summary>The widths whose kernels this machine accelerates, widest first, then <see cref="KernelWidth.Scalar"/>.</summary>
    public static IReadOnlyList<KernelWidth> SupportedWidths { get; } = GetSupportedWidths();

    /// <summary>Returns the dot product of two vectors of equal length: Σ x[i]·y[i].</summary>
    /// <param name="x">The first vector.</param>
    /// <param name="y">The second vector; must have the same length as <paramref name="x"/>.</param>
    /// <returns>The dot product (0 for empty inputs). For unit-length vectors this is their cosine similarity.</returns>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
        {
            ThrowHelper.LengthsDiffer();
        }

        return Dot(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), x.Length);
    }

    /// <summary>Returns the squared Euclidean distance of two vectors of equal length: Σ (x[i] − y[i])².</summary>
    /// <param name="x">The first vector.</param>
    /// <param name="y">The second vector; must have the same length as <paramref name="x"/>.</param>
    /// <returns>The squared distance (0 for empty inputs).</returns>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static float SquaredDistance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
        {
            ThrowHelper.LengthsDiffer();
        }

        return SquaredDistance(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), x.Length);
    }

    /// <summary>Returns the dot product of two int8 vectors of equal length, computed exactly in 32-bit integers.</summary>
    /// <param name="x">The first vector.</param>
    /// <param name="y">The second vector; must have the same length as <paramref name="x"/>.</param>
    /// <returns>Σ x[i]·y[i] (0 for empty inputs); exact for lengths up to <see cref="MaxInt8Length"/>.</returns>
    /// <exception cref="ArgumentException">The lengths differ, or exceed <see cref="MaxInt8Length"/>.</exception>
    public static int Dot(ReadOnlySpan<sbyte> x, ReadOnlySpan<sbyte> y)
    {
        if (x.Length != y.Length)
        {
            ThrowHelper.LengthsDiffer();
        }

        if (x.Length > MaxInt8Length)
        {
            ThrowHelper.Int8TooLong(x.Length);
        }

        return Dot(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), x.Length);
    }

    /// <summary>Writes <paramref name="source"/> scaled to unit Euclidean length into <paramref name="destination"/>.</summary>
    /// <param name="source">The vector to normalise.</param>
    /// <param name="destination">Where to write the result; may be the same memory as <paramref name="source"/>.</param>
    /// <returns>The Euclidean length of <paramref name="source"/>; when it is 0 (or not finite) the destination is
    /// left as a copy of the source and the caller decides what that means.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="source"/>.</exception>
    public static float Normalize(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
        {
            ThrowHelper.DestinationTooShort();
        }

        var norm = MathF.Sqrt(Dot(source, source));
        if (norm > 0 && float.IsFinite(norm))
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(source, 1 / norm, destination);
        }
        else
        {
            source.CopyTo(destination);
        }

        return norm;
    }

    /// <summary>Float dot product at the machine's width, without argument checks (the index's hot path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Dot(ref float x, ref float y, int length) => Width switch
    {
        KernelWidth.Vector512 => DotV512(ref x, ref y, length),
        KernelWidth.Vector256 => DotV256(ref x, ref y, length),
        KernelWidth.Vector128 => DotV128(ref x, ref y, length),
        _ => DotScalar(ref x, ref y, length),
    };

    /// <summary>Squared Euclidean distance at the machine's width, without argument checks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float SquaredDistance(ref float x, ref float y, int length) => Width switch
    {
        KernelWidth.Vector512 => SquaredDistanceV512(ref x, ref y, length),
        KernelWidth.Vector256 => SquaredDistanceV256(ref x, ref y, length),
        KernelWidth.Vector128 => SquaredDistanceV128(ref x, ref y, length),
        _ => SquaredDistanceScalar(ref x, ref y, length),
    };

    /// <summary>Int8 dot product at the machine's width, without argument checks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Dot(ref sbyte x, ref sbyte y, int length) => Width switch
    {
        KernelWidth.Vector512 => DotInt8V512(ref x, ref y, length),
        KernelWidth.Vector256 => DotInt8V256(ref x, ref y, length),
        KernelWidth.Vector128 => DotInt8V128(ref x, ref y, length),
        _ => DotInt8Scalar(ref x, ref y, length),
    };

    private static KernelWidth[] GetSupportedWidths()
    {
        var widths = new List<KernelWidth>(4);
        if (Vector512.IsHardwareAccelerated)
        {
            widths.Add(KernelWidth.Vector512);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            widths.Add(KernelWidth.Vector256);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            widths.Add(KernelWidth.Vector128);
        }

        widths.Add(KernelWidth.Scalar);
        return [.. widths];
    }
}
