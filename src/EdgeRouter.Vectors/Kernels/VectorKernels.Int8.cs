using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace EdgeRouter.Vectors.Kernels;

// Int8 dot product with an exact int32 result. Each step sign-extends both inputs to int16 (an int8 product is at
// most 2^14, so it fits int16) and sums adjacent products into int32 lanes: one pmaddwd per register on x64
// (Avx512BW/Avx2/Sse2.MultiplyAddAdjacent), the portable widen-multiply-widen sequence elsewhere, and the single
// sdot instruction on ARM64 CPUs with the dot-product extension. The tail of a long input reloads the last full
// register with the already-counted bytes of one operand masked to zero, as the float kernels do.
public static partial class VectorKernels
{
    internal static int DotInt8V512(ref sbyte x, ref sbyte y, int length)
    {
        const int Lanes = 64;
        if (length < Lanes)
        {
            return DotInt8V256(ref x, ref y, length);
        }

        var n = (nuint)length;
        var acc0 = Vector512<int>.Zero;
        var acc1 = Vector512<int>.Zero;
        nuint i = 0;
        for (; i + (2 * Lanes) <= n; i += 2 * Lanes)
        {
            acc0 += MultiplyAddPairs(Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref y, i));
            acc1 += MultiplyAddPairs(Vector512.LoadUnsafe(ref x, i + Lanes), Vector512.LoadUnsafe(ref y, i + Lanes));
        }

        if (i + Lanes <= n)
        {
            acc0 += MultiplyAddPairs(Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref y, i));
            i += Lanes;
        }

        if (i < n)
        {
            var last = n - Lanes;
            var mask = Vector512.GreaterThanOrEqual(Vector512<byte>.Indices, Vector512.Create((byte)(i - last))).AsSByte();
            acc1 += MultiplyAddPairs(Vector512.LoadUnsafe(ref x, last) & mask, Vector512.LoadUnsafe(ref y, last));
        }

        return Vector512.Sum(acc0 + acc1);
    }

    internal static int DotInt8V256(ref sbyte x, ref sbyte y, int length)
    {
        const int Lanes = 32;
        if (length < Lanes)
        {
            return DotInt8V128(ref x, ref y, length);
        }

        var n = (nuint)length;
        var acc0 = Vector256<int>.Zero;
        var acc1 = Vector256<int>.Zero;
        nuint i = 0;
        for (; i + (2 * Lanes) <= n; i += 2 * Lanes)
        {
            acc0 += MultiplyAddPairs(Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref y, i));
            acc1 += MultiplyAddPairs(Vector256.LoadUnsafe(ref x, i + Lanes), Vector256.LoadUnsafe(ref y, i + Lanes));
        }

        if (i + Lanes <= n)
        {
            acc0 += MultiplyAddPairs(Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref y, i));
            i += Lanes;
        }

        if (i < n)
        {
            var last = n - Lanes;
            var mask = Vector256.GreaterThanOrEqual(Vector256<byte>.Indices, Vector256.Create((byte)(i - last))).AsSByte();
            acc1 += MultiplyAddPairs(Vector256.LoadUnsafe(ref x, last) & mask, Vector256.LoadUnsafe(ref y, last));
        }

        return Vector256.Sum(acc0 + acc1);
    }

    internal static int DotInt8V128(ref sbyte x, ref sbyte y, int length)
    {
        const int Lanes = 16;
        if (length < Lanes)
        {
            return DotInt8Scalar(ref x, ref y, length);
        }

        var n = (nuint)length;
        var acc0 = Vector128<int>.Zero;
        var acc1 = Vector128<int>.Zero;
        nuint i = 0;
        for (; i + (2 * Lanes) <= n; i += 2 * Lanes)
        {
            acc0 = MultiplyAddPairs(acc0, Vector128.LoadUnsafe(ref x, i), Vector128.LoadUnsafe(ref y, i));
            acc1 = MultiplyAddPairs(acc1, Vector128.LoadUnsafe(ref x, i + Lanes), Vector128.LoadUnsafe(ref y, i + Lanes));
        }

        if (i + Lanes <= n)
        {
            acc0 = MultiplyAddPairs(acc0, Vector128.LoadUnsafe(ref x, i), Vector128.LoadUnsafe(ref y, i));
            i += Lanes;
        }

        if (i < n)
        {
            var last = n - Lanes;
            var mask = Vector128.GreaterThanOrEqual(Vector128<byte>.Indices, Vector128.Create((byte)(i - last))).AsSByte();
            acc1 = MultiplyAddPairs(acc1, Vector128.LoadUnsafe(ref x, last) & mask, Vector128.LoadUnsafe(ref y, last));
        }

        return Vector128.Sum(acc0 + acc1);
    }

    internal static int DotInt8Scalar(ref sbyte x, ref sbyte y, int length)
    {
        var sum = 0;
        for (nuint i = 0; i < (nuint)length; i++)
        {
            sum += Unsafe.Add(ref x, i) * Unsafe.Add(ref y, i);
        }

        return sum;
    }

    /// <summary>Σ over each group of adjacent products x[j]·y[j] into int32 lanes (the lane order is irrelevant to a sum).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> MultiplyAddPairs(Vector512<sbyte> x, Vector512<sbyte> y)
    {
        var (xLow, xHigh) = Vector512.Widen(x);
        var (yLow, yHigh) = Vector512.Widen(y);
        if (Avx512BW.IsSupported)
        {
            return Avx512BW.MultiplyAddAdjacent(xLow, yLow) + Avx512BW.MultiplyAddAdjacent(xHigh, yHigh);
        }

        var low = xLow * yLow;
        var high = xHigh * yHigh;
        return (Vector512.WidenLower(low) + Vector512.WidenUpper(low)) + (Vector512.WidenLower(high) + Vector512.WidenUpper(high));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> MultiplyAddPairs(Vector256<sbyte> x, Vector256<sbyte> y)
    {
        var (xLow, xHigh) = Vector256.Widen(x);
        var (yLow, yHigh) = Vector256.Widen(y);
        if (Avx2.IsSupported)
        {
            return Avx2.MultiplyAddAdjacent(xLow, yLow) + Avx2.MultiplyAddAdjacent(xHigh, yHigh);
        }

        var low = xLow * yLow;
        var high = xHigh * yHigh;
        return (Vector256.WidenLower(low) + Vector256.WidenUpper(low)) + (Vector256.WidenLower(high) + Vector256.WidenUpper(high));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> MultiplyAddPairs(Vector128<int> accumulator, Vector128<sbyte> x, Vector128<sbyte> y)
    {
        if (Dp.IsSupported)
        {
            return Dp.DotProduct(accumulator, x, y);
        }

        var (xLow, xHigh) = Vector128.Widen(x);
        var (yLow, yHigh) = Vector128.Widen(y);
        if (Sse2.IsSupported)
        {
            return accumulator + Sse2.MultiplyAddAdjacent(xLow, yLow) + Sse2.MultiplyAddAdjacent(xHigh, yHigh);
        }

        var low = xLow * yLow;
        var high = xHigh * yHigh;
        return accumulator + (Vector128.WidenLower(low) + Vector128.WidenUpper(low)) + (Vector128.WidenLower(high) + Vector128.WidenUpper(high));
    }
}
