namespace EdgeRouter.Configuration;

/// <summary>
/// Models that run inside the gateway: sentence encoders and classifier heads on ONNX Runtime. Loaded at startup
/// (a change needs a restart); a model that cannot be loaded stops the gateway with a message naming it.
/// </summary>
public sealed record InferenceConfig
{
    /// <summary>ONNX Runtime library to load instead of the one next to the binary (also <c>EDGEROUTER_ONNXRUNTIME</c>).</summary>
    public string? OnnxRuntimePath { get; set; }

    /// <summary>Threads one model run may use; 1 keeps each request on its own thread, which suits a busy gateway.</summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>ONNX Runtime graph optimisation: <c>disabled</c>, <c>basic</c>, <c>extended</c> or <c>all</c>.</summary>
    public string GraphOptimization { get; set; } = "all";

    /// <summary>Use ONNX Runtime's CPU memory arena.</summary>
    public bool MemoryArena { get; set; } = true;

    /// <summary>Sentence encoders by name; each is also served on <c>/v1/embeddings</c> as <c>local/&lt;name&gt;</c>.</summary>
    public IReadOnlyDictionary<string, EncoderConfig> Encoders { get; set; } = new Dictionary<string, EncoderConfig>();

    /// <summary>Classifier heads by name.</summary>
    public IReadOnlyDictionary<string, ClassifierConfig> Classifiers { get; set; } = new Dictionary<string, ClassifierConfig>();
}

/// <summary>A sentence encoder: a directory with <c>encoder.json</c>, or a Hugging Face ONNX export.</summary>
public sealed record EncoderConfig
{
    /// <summary>The model directory; relative paths start at the config file's folder (the binary's for the embedded default).</summary>
    public string Path { get; set; } = "";

    /// <summary>Use <c>model.int8.onnx</c> when the directory has one (faster, slightly less accurate).</summary>
    public bool PreferInt8 { get; set; } = true;
}

/// <summary>A classifier head reading one encoder's embeddings.</summary>
public sealed record ClassifierConfig
{
    /// <summary>The head directory (with <c>head.json</c>); relative paths as for encoders.</summary>
    public string Path { get; set; } = "";

    /// <summary>Name of the encoder whose embeddings the head reads.</summary>
    public string Encoder { get; set; } = "default";
}
