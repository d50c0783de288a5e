using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using EdgeRouter.Vectors.Kernels;

namespace EdgeRouter.Vectors.Hnsw;

/// <summary>
/// The distance from the current query to a node, as a struct so that the graph walk is compiled once per space with
/// the kernel call inlined (no interface dispatch per distance).
/// </summary>
internal interface IDistanceSpace
{
    /// <summary>1 − the (approximate, for int8) cosine similarity of the query and node <paramref name="id"/>.</summary>
    float Distance(uint id);

    /// <summary>Asks the CPU to start loading the node's vector (a hint; no-op where .NET has no prefetch intrinsic).</summary>
    void Prefetch(uint id);
}

/// <summary>Float32 query against float32 vectors at a fixed stride (the level-0 records, or the float copies).</summary>
internal readonly unsafe struct FloatSpace(float* query, byte* vectors, nuint stride, int dimension) : IDistanceSpace
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Distance(uint id) =>
        1 - VectorKernels.Dot(ref *query, ref *(float*)(vectors + (id * stride)), dimension);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(uint id)
    {
        if (Sse.IsSupported)
        {
            var p = vectors + (id * stride);
            Sse.Prefetch0(p);
            Sse.Prefetch0(p + 64);
        }
    }
}

/// <summary>
/// Int8 query against int8 records: distance = 1 − (q8 · v8) · queryScale · nodeScale, each vector quantised with
/// its own scale (largest absolute component ↦ 127). The node's scale sits in its record header.
/// </summary>
internal readonly unsafe struct Int8Space(sbyte* query, float queryScale, byte* records, nuint stride, int dimension, int scaleOffset)
    : IDistanceSpace
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Distance(uint id)
    {
        var record = records + (id * stride);
        var dot = VectorKernels.Dot(ref *query, ref *(sbyte*)record, dimension);
        return 1 - (dot * queryScale * *(float*)(record + scaleOffset));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(uint id)
    {
        if (Sse.IsSupported)
        {
            var p = records + (id * stride);
            Sse.Prefetch0(p);
            Sse.Prefetch0(p + scaleOffset);
        }
    }
}
