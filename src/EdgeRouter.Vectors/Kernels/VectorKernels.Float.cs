using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EdgeRouter.Vectors.Kernels;

// Float kernels, one method per width so that the tests and benchmarks can call each path directly.
// Shape of every SIMD path: four independent FMA accumulators over 4 registers per step, then whole registers, then
// the remaining 1..(lanes-1) elements by reloading the *last full register* of the input (it overlaps elements
// already summed) with those already-summed lanes masked to zero. Inputs shorter than one register go to the next
// narrower path. MultiplyAddEstimate is a fused multiply-add where the hardware has one (AVX2/AVX-512 FMA, NEON).
public static partial class VectorKernels
{
    internal static float DotV512(ref float x, ref float y, int length)
    {
        const int Lanes = 16;
        if (length < Lanes)
        {
            return DotV256(ref x, ref y, length);
        }

        var n = (nuint)length;
        var acc0 = Vector512<float>.Zero;
        var acc1 = Vector512<float>.Zero;
        var acc2 = Vector512<float>.Zero;
        var acc3 = Vector512<float>.Zero;
        nuint i = 0;
        for (; i + (4 * Lanes) <= n; i += 4 * Lanes)
        {
            acc0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref y, i), acc0);
            acc1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref x, i + Lanes), Vector512.LoadUnsafe(ref y, i + Lanes), acc1);
            acc2 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref x, i + (2 * Lanes)), Vector512.LoadUnsafe(ref y, i + (2 * Lanes)), acc2);
            acc3 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref x, i + (3 * Lanes)), Vector512.LoadUnsafe(ref y, i + (3 * Lanes)), acc3);
        }

        for (; i + Lanes <= n; i += Lanes)
        {
            acc0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref y, i), acc0);
        }

        if (i < n)
        {
            var last = n - Lanes;
            var mask = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create((int)(i - last))).AsSingle();
            acc1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref x, last) & mask, Vector512.LoadUnsafe(ref y, last), acc1);
        }

        return Vector512.Sum((acc0 + acc1) + (acc2 + acc3));
    }

    internal static float DotV256(ref float x, ref float y, int length)
    {
        const int Lanes = 8;
        if (length < Lanes)
        {
            return DotV128(ref x, ref y, length);
        }

        var n = (nuint)length;
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        var acc2 = Vector256<float>.Zero;
        var acc3 = Vector256<float>.Zero;
        nuint i = 0;
        for (; i + (4 * Lanes) <= n; i += 4 * Lanes)
        {
            acc0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref y, i), acc0);
            acc1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x, i + Lanes), Vector256.LoadUnsafe(ref y, i + Lanes), acc1);
            acc2 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x, i + (2 * Lanes)), Vector256.LoadUnsafe(ref y, i + (2 * Lanes)), acc2);
            acc3 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x, i + (3 * Lanes)), Vector256.LoadUnsafe(ref y, i + (3 * Lanes)), acc3);
        }

        for (; i + Lanes <= n; i += Lanes)
        {
            acc0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref y, i), acc0);
        }

        if (i < n)
        {
            var last = n - Lanes;
            var mask = Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create((int)(i - last))).AsSingle();
            acc1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref x, last) & mask, Vector256.LoadUnsafe(ref y, last), acc1);
        }

        return Vector256.Sum((acc0 + acc1) + (acc2 + acc3));
    }

    internal static float DotV128(ref float x, ref float y, int length)
    {
        const int Lanes = 4;
        if (length < Lanes)
        {
            return DotScalar(ref x, ref y, length);
        }

        var n = (nuint)length;
        var acc0 = Vector128<float>.Zero;
        var acc1 = Vector128<float>.Zero;
        var acc2 = Vector128<float>.Zero;
        var acc3 = Vector128<float>.Zero;
        nuint i = 0;
        for (; i + (4 * Lanes) <= n; i += 4 * Lanes)
        {
            acc0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref x, i), Vector128.LoadUnsafe(ref y, i), acc0);
            acc1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref x, i + Lanes), Vector128.LoadUnsafe(ref y, i + Lanes), acc1);
            acc2 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref x, i + (2 * Lanes)), Vector128.LoadUnsafe(ref y, i + (2 * Lanes)), acc2);
            acc3 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref x, i + (3 * Lanes)), Vector128.LoadUnsafe(ref y, i + (3 * Lanes)), acc3);
        }

        for (; i + Lanes <= n; i += Lanes)
        {
            acc0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref x, i), Vector128.LoadUnsafe(ref y, i), acc0);
        }

        if (i < n)
        {
            var last = n - Lanes;
            var mask = Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create((int)(i - last))).AsSingle();
            acc1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref x, last) & mask, Vector128.LoadUnsafe(ref y, last), acc1);
        }

        return Vector128.Sum((acc0 + acc1) + (acc2 + acc3));
    }

    internal static float DotScalar(ref float x, ref float y, int length)
    {
        float sum = 0;
        for (nuint i = 0; i < (nuint)length; i++)
        {
            sum += Unsafe.Add(ref x, i) * Unsafe.Add(ref y, i);
        }

        return sum;
    }

    internal static float SquaredDistanceV512(ref float x, ref float y, int length)
    {
        const int Lanes = 16;
        if (length < Lanes)
        {
            return SquaredDistanceV256(ref x, ref y, length);
        }

        var n = (nuint)length;
        var acc0 = Vector512<float>.Zero;
        var acc1 = Vector512<float>.Zero;
        var acc2 = Vector512<float>.Zero;
        var acc3 = Vector512<float>.Zero;
        nuint i = 0;
        for (; i + (4 * Lanes) <= n; i += 4 * Lanes)
        {
            var d0 = Vector512.LoadUnsafe(ref x, i) - Vector512.LoadUnsafe(ref y, i);
            var d1 = Vector512.LoadUnsafe(ref x, i + Lanes) - Vector512.LoadUnsafe(ref y, i + Lanes);
            var d2 = Vector512.LoadUnsafe(ref x, i + (2 * Lanes)) - Vector512.LoadUnsafe(ref y, i + (2 * Lanes));
            var d3 = Vector512.LoadUnsafe(ref x, i + (3 * Lanes)) - Vector512.LoadUnsafe(ref y, i + (3 * Lanes));
            acc0 = Vector512.MultiplyAddEstimate(d0, d0, acc0);
            acc1 = Vector512.MultiplyAddEstimate(d1, d1, acc1);
            acc2 = Vector512.MultiplyAddEstimate(d2, d2, acc2);
            acc3 = Vector512.MultiplyAddEstimate(d3, d3, acc3);
        }

        for (; i + Lanes <= n; i += Lanes)
        {
            var d = Vector512.LoadUnsafe(ref x, i) - Vector512.LoadUnsafe(ref y, i);
            acc0 = Vector512.MultiplyAddEstimate(d, d, acc0);
        }

        if (i < n)
        {
            var last = n - Lanes;
            var mask = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create((int)(i - last))).AsSingle();
            var d = (Vector512.LoadUnsafe(ref x, last) - Vector512.LoadUnsafe(ref y, last)) & mask;
            acc1 = Vector512.MultiplyAddEstimate(d, d, acc1);
        }

        return Vector512.Sum((acc0 + acc1) + (acc2 + acc3));
    }

    internal static float SquaredDistanceV256(ref float x, ref float y, int length)
    {
        const int Lanes = 8;
        if (length < Lanes)
        {
            return SquaredDistanceV128(ref x, ref y, length);
        }

        var n = (nuint)length;
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        var acc2 = Vector256<float>.Zero;
        var acc3 = Vector256<float>.Zero;
        nuint i = 0;
        for (; i + (4 * Lanes) <= n; i += 4 * Lanes)
        {
            var d0 = Vector256.LoadUnsafe(ref x, i) - Vector256.LoadUnsafe(ref y, i);
            var d1 = Vector256.LoadUnsafe(ref x, i + Lanes) - Vector256.LoadUnsafe(ref y, i + Lanes);
            var d2 = Vector256.LoadUnsafe(ref x, i + (2 * Lanes)) - Vector256.LoadUnsafe(ref y, i + (2 * Lanes));
            var d3 = Vector256.LoadUnsafe(ref x, i + (3 * Lanes)) - Vector256.LoadUnsafe(ref y, i + (3 * Lanes));
            acc0 = Vector256.MultiplyAddEstimate(d0, d0, acc0);
            acc1 = Vector256.MultiplyAddEstimate(d1, d1, acc1);
            acc2 = Vector256.MultiplyAddEstimate(d2, d2, acc2);
            acc3 = Vector256.MultiplyAddEstimate(d3, d3, acc3);
        }

        for (; i + Lanes <= n; i += Lanes)
        {
            var d = Vector256.LoadUnsafe(ref x, i) - Vector256.LoadUnsafe(ref y, i);
            acc0 = Vector256.MultiplyAddEstimate(d, d, acc0);
        }

        if (i < n)
        {
            var last = n - Lanes;
            var mask = Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create((int)(i - last))).AsSingle();
            var d = (Vector256.LoadUnsafe(ref x, last) - Vector256.LoadUnsafe(ref y, last)) & mask;
            acc1 = Vector256.MultiplyAddEstimate(d, d, acc1);
        }

        return Vector256.Sum((acc0 + acc1) + (acc2 + acc3));
    }

    internal static float SquaredDistanceV128(ref float x, ref float y, int length)
    {
        const int Lanes = 4;
        if (length < Lanes)
        {
            return SquaredDistanceScalar(ref x, ref y, length);
        }

        var n = (nuint)length;
        var acc0 = Vector128<float>.Zero;
        var acc1 = Vector128<float>.Zero;
        var acc2 = Vector128<float>.Zero;
        var acc3 = Vector128<float>.Zero;
        nuint i = 0;
        for (; i + (4 * Lanes) <= n; i += 4 * Lanes)
        {
            var d0 = Vector128.LoadUnsafe(ref x, i) - Vector128.LoadUnsafe(ref y, i);
            var d1 = Vector128.LoadUnsafe(ref x, i + Lanes) - Vector128.LoadUnsafe(ref y, i + Lanes);
            var d2 = Vector128.LoadUnsafe(ref x, i + (2 * Lanes)) - Vector128.LoadUnsafe(ref y, i + (2 * Lanes));
            var d3 = Vector128.LoadUnsafe(ref x, i + (3 * Lanes)) - Vector128.LoadUnsafe(ref y, i + (3 * Lanes));
            acc0 = Vector128.MultiplyAddEstimate(d0, d0, acc0);
            acc1 = Vector128.MultiplyAddEstimate(d1, d1, acc1);
            acc2 = Vector128.MultiplyAddEstimate(d2, d2, acc2);
            acc3 = Vector128.MultiplyAddEstimate(d3, d3, acc3);
        }

        for (; i + Lanes <= n; i += Lanes)
        {
            var d = Vector128.LoadUnsafe(ref x, i) - Vector128.LoadUnsafe(ref y, i);
            acc0 = Vector128.MultiplyAddEstimate(d, d, acc0);
        }

        if (i < n)
        {
            var last = n - Lanes;
            var mask = Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create((int)(i - last))).AsSingle();
            var d = (Vector128.LoadUnsafe(ref x, last) - Vector128.LoadUnsafe(ref y, last)) & mask;
            acc1 = Vector128.MultiplyAddEstimate(d, d, acc1);
        }

        return Vector128.Sum((acc0 + acc1) + (acc2 + acc3));
    }

    internal static float SquaredDistanceScalar(ref float x, ref float y, int length)
    {
        float sum = 0;
        for (nuint i = 0; i < (nuint)length; i++)
        {
            var d = Unsafe.Add(ref x, i) - Unsafe.Add(ref y, i);
            sum += d * d;
        }

        return sum;
    }
}
