namespace EdgeRouter.Vectors.Hnsw;

/// <summary>
/// The parameters of an <see cref="HnswIndex"/>. They are fixed when the index is created (and travel with a
/// snapshot); only <see cref="Ef"/> can be overridden per search.
/// </summary>
/// <remarks>
/// How to choose them (the same trade-offs as hnswlib's ALGO_PARAMS.md):
/// <list type="bullet">
/// <item><see cref="M"/>: links per node and layer (level 0 keeps up to 2·M). Higher M gives better recall on
/// high-dimensional or hard data at the cost of memory (8·M bytes per vector) and slower inserts. 12–48 is the useful
/// range; 16 suits 384-dimension sentence embeddings.</item>
/// <item><see cref="EfConstruction"/>: the candidate list size while inserting. Higher builds a better graph more
/// slowly; raise it until recall at your search ef stops improving (200 is generous for M = 16).</item>
/// <item><see cref="Ef"/>: the candidate list size while searching (at least k). The main recall/speed knob: recall
/// and latency both grow with it.</item>
/// </list>
/// </remarks>
public sealed record HnswOptions
{
    /// <summary>The largest supported <see cref="Dimension"/>.</summary>
    public const int MaxDimension = 65_536;

    /// <summary>The largest supported <see cref="M"/> (level 0 then keeps up to 256 links per node).</summary>
    public const int MaxM = 128;

    /// <summary>The number of components of every vector. Required; 1 to <see cref="MaxDimension"/>.</summary>
    public required int Dimension { get; init; }

    /// <summary>Links per node on the upper layers; level 0 keeps up to 2·M. Default 16; 2 to <see cref="MaxM"/>.</summary>
    public int M { get; init; } = 16;

    /// <summary>Candidate list size while inserting. Default 200; values below <see cref="M"/> are raised to it.</summary>
    public int EfConstruction { get; init; } = 200;

    /// <summary>Default candidate list size while searching (raised to k when smaller). Default 64.</summary>
    public int Ef { get; init; } = 64;

    /// <summary>Seeds the level assignment: the same seed and the same sequence of writes give the same index.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Slots allocated up front. The index grows (doubling) past it; each growth briefly blocks searches.
    /// Default 1,024.</summary>
    public int InitialCapacity { get; init; } = 1_024;

    /// <summary>
    /// Store the searched vectors as int8 (one scale per vector: the largest absolute component maps to 127), which
    /// makes the graph walk read a quarter of the bytes; a float copy of every vector is kept apart and re-ranks the
    /// best candidates, so the reported similarities are exact. Default false.
    /// </summary>
    public bool Quantize { get; init; }

    /// <summary>With <see cref="Quantize"/>: how many candidates per requested result are re-ranked with the float
    /// copy (k · RerankFactor, and the search ef is raised to at least that). Default 4; 1 to 64.</summary>
    public int RerankFactor { get; init; } = 4;

    /// <summary>Returns every problem with these options (empty when they are valid).</summary>
    /// <returns>One message per invalid property, naming it and the value it had.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Dimension is < 1 or > MaxDimension)
        {
            errors.Add($"Dimension must be in [1, {MaxDimension}], got {Dimension}.");
        }

        if (M is < 2 or > MaxM)
        {
            errors.Add($"M must be in [2, {MaxM}], got {M}.");
        }

        if (EfConstruction < 1)
        {
            errors.Add($"EfConstruction must be at least 1, got {EfConstruction}.");
        }

        if (Ef < 1)
        {
            errors.Add($"Ef must be at least 1, got {Ef}.");
        }

        if (InitialCapacity < 1)
        {
            errors.Add($"InitialCapacity must be at least 1, got {InitialCapacity}.");
        }

        if (RerankFactor is < 1 or > 64)
        {
            errors.Add($"RerankFactor must be in [1, 64], got {RerankFactor}.");
        }

        return errors;
    }

    internal void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid HNSW options: " + string.Join(" ", errors), "options");
        }
    }
}
