namespace EdgeRouter.Inference.OnnxRuntime;

/// <summary>How ONNX Runtime runs one model.</summary>
public sealed record SessionSettings
{
    /// <summary>Threads used inside one operator. 1 (default) runs on the calling thread only, which is what a
    /// gateway serving many concurrent requests wants; 0 lets ONNX Runtime pick.</summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>Graph optimisation: <c>disabled</c>, <c>basic</c>, <c>extended</c> or <c>all</c> (default).</summary>
    public string GraphOptimization { get; init; } = "all";

    /// <summary>Use ONNX Runtime's CPU memory arena (default true): faster repeated runs, memory held between them.</summary>
    public bool MemoryArena { get; init; } = true;

    /// <summary>The ONNX Runtime level for a <see cref="GraphOptimization"/> name, or null when the name is unknown.</summary>
    public static int? OptimizationLevel(string name) => name switch
    {
        "disabled" => 0,
        "basic" => 1,
        "extended" => 2,
        "all" => 99,
        _ => null,
    };
}
