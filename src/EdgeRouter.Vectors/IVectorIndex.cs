namespace EdgeRouter.Vectors;

/// <summary>A set of labelled vectors searched by cosine similarity.</summary>
/// <remarks>Implementations normalise every vector to unit length when it is added (and every query), so the
/// similarity is an inner product. All members are safe to call concurrently.</remarks>
public interface IVectorIndex : IDisposable
{
    /// <summary>The number of components of every vector.</summary>
    int Dimension { get; }

    /// <summary>The number of labels currently stored (removed ones excluded).</summary>
    int Count { get; }

    /// <summary>Stores <paramref name="vector"/> under <paramref name="label"/>, replacing the label's previous vector.</summary>
    /// <param name="label">The caller's identifier for the vector.</param>
    /// <param name="vector">The vector; its length must be <see cref="Dimension"/>, its norm non-zero and finite.</param>
    void Add(ulong label, ReadOnlySpan<float> vector);

    /// <summary>Removes a label.</summary>
    /// <param name="label">The label to remove.</param>
    /// <returns>True if it was stored.</returns>
    bool Remove(ulong label);

    /// <summary>Whether a label is currently stored.</summary>
    /// <param name="label">The label to look up.</param>
    /// <returns>True if it is stored and not removed.</returns>
    bool Contains(ulong label);

    /// <summary>Finds the stored vectors most similar to <paramref name="query"/>.</summary>
    /// <param name="query">The query vector (<see cref="Dimension"/> components; it is normalised internally).</param>
    /// <param name="k">How many results to return at most; at least 1.</param>
    /// <param name="results">Receives the results, most similar first; must hold at least <paramref name="k"/>.</param>
    /// <returns>The number of results written: k, or fewer when fewer labels are stored.</returns>
    int Search(ReadOnlySpan<float> query, int k, Span<SearchResult> results);
}
