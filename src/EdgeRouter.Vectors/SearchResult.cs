namespace EdgeRouter.Vectors;

/// <summary>One hit of a nearest-neighbour search.</summary>
/// <param name="Label">The caller's label of the stored vector.</param>
/// <param name="Similarity">The cosine similarity of the (normalised) query and stored vectors, in [−1, 1]; higher is closer.</param>
public readonly record struct SearchResult(ulong Label, float Similarity);
