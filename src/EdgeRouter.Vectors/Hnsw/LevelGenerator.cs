namespace EdgeRouter.Vectors.Hnsw;

/// <summary>
/// Draws node levels from the exponential distribution of the HNSW paper, floor(−ln(U) · mL) with mL = 1 / ln(M), from
/// a SplitMix64 stream: seeded, tiny, and the same on every runtime and platform (System.Random's seeded sequence is
/// not promised to stay the same across .NET versions). Not thread-safe; the index draws under its writer lock.
/// </summary>
internal struct LevelGenerator(ulong state)
{
    /// <summary>Levels are capped here; with M ≥ 2 a level above 31 has probability below 2^−31 per node.</summary>
    public const int MaxLevel = 31;

    /// <summary>The generator state (saved with a snapshot so that a loaded index draws the same levels).</summary>
    public ulong State = state;

    public int NextLevel(double levelMultiplier)
    {
        // 53 random bits → U in (0, 1]; −ln(U) ≥ 0.
        var u = ((Next() >> 11) + 1) * (1.0 / (1UL << 53));
        var level = (int)(-Math.Log(u) * levelMultiplier);
        return Math.Min(level, MaxLevel);
    }

    private ulong Next()
    {
        var z = State += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
