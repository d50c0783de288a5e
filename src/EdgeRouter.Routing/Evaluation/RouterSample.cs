namespace EdgeRouter.Routing.Evaluation;

/// <summary>
/// What a router may look at for one prompt: the text it routes on and, where the source has one, the prompt's
/// subject (MMLU has one; real traffic does not). Quality labels are kept apart, in <see cref="RouterBenchmark"/>,
/// so a scorer cannot read them.
/// </summary>
/// <param name="Prompt">The text the router sees (for multi-turn benchmarks, the first turn).</param>
/// <param name="Subject">The source's subject or category, or null when it has none.</param>
public sealed record RouterSample(string Prompt, string? Subject = null);
