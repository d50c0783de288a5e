using System.Numerics.Tensors;

namespace EdgeRouter.Vectors.Hnsw;

/// <summary>
/// Symmetric int8 quantisation with one scale per vector: the component of largest magnitude maps to ±127 and the
/// others are rounded to the nearest step, so x ≈ q · scale. A per-vector scale needs no training data (an online index
/// has none when the first vector arrives), adapts to each vector's spread, and costs 4 bytes per vector; the error of
/// a dot product is then about scale² · √d / 2, small next to the gaps between neighbours' similarities, and the float
/// re-ranking removes what remains from the final order.
/// </summary>
internal static class ScalarQuantizer
{
    /// <summary>Writes <paramref name="source"/> as int8 into <paramref name="destination"/>; returns the scale.</summary>
    public static float Quantize(ReadOnlySpan<float> source, Span<sbyte> destination)
    {
        var max = MathF.Abs(TensorPrimitives.MaxMagnitude(source));
        if (!(max > 0))
        {
            destination[..source.Length].Clear();
            return 0;
        }

        var inverse = 127 / max;
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = (sbyte)Math.Clamp(MathF.Round(source[i] * inverse), -127, 127);
        }

        return max / 127;
    }
}
