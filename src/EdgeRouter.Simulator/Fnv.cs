namespace EdgeRouter.Simulator;

/// <summary>FNV-1a hashes: tiny, stable across runs and platforms, good enough to seed a generator.</summary>
internal static class Fnv
{
    public const ulong Offset64 = 14695981039346656037;
    public const uint Offset32 = 2166136261;
    private const ulong Prime64 = 1099511628211;
    private const uint Prime32 = 16777619;

    /// <summary>Continues a 64-bit hash with <paramref name="data"/>.</summary>
    public static ulong Hash64(ulong hash, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            hash = (hash ^ b) * Prime64;
        }

        return hash;
    }

    /// <summary>Continues a 32-bit hash with <paramref name="data"/>.</summary>
    public static uint Hash32(uint hash, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            hash = (hash ^ b) * Prime32;
        }

        return hash;
    }
}
