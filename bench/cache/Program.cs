using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeRouter.CacheBench;
using EdgeRouter.Inference.Models;
using EdgeRouter.Inference.OnnxRuntime;

// Measures the semantic cache with a real encoder and prints Markdown tables for bench/RESULTS.md.
//   cachebench quality|lookup|all [--model DIR] [--int8] [--data DIR] [--json FILE] ... (see Options.Usage)
// quality: hit precision / hit rate on STS-B and a CLINC150 cache scenario, threshold chosen on val, meaning flips.
// lookup:  SemanticCache.Lookup latency at 100,000 entries, and encode + lookup on 32-token prompts.
Options options;
try
{
    options = Options.Parse(args, RepositoryRoot());
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"cachebench: {ex.Message}");
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

var runtime = OnnxRuntimeLibrary.Load();
var session = new SessionSettings(); // the gateway's defaults: one intra-op thread, all graph optimisations, arena on
using var encoder = SentenceEncoder.Load("default", runtime, options.ModelDirectory, session, options.Int8);
var embeddings = new TextEmbeddings(encoder, options.Threads);
var modelFile = Path.GetFileName(encoder.Session.ModelPath);

Console.WriteLine($"## Semantic cache — {options.Mode} ({Path.GetRelativePath(options.RepositoryRoot, options.ModelDirectory)}/{modelFile})");
Console.WriteLine();
Console.WriteLine($"`{string.Join(' ', args.Prepend("cachebench").Select(Quote))}` — encoder {modelFile} (d = {encoder.Dimensions}, " +
    $"max {encoder.MaxTokens} tokens, {encoder.Manifest.Pooling} pooling), ONNX Runtime {runtime.Version} with {session.IntraOpThreads} " +
    $"intra-op thread; {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} usable core(s), {DateTime.UtcNow:yyyy-MM-ddTHH:mmZ}.");
Console.WriteLine();

var json = new JsonObject
{
    ["command"] = string.Join(' ', args.Prepend("cachebench").Select(Quote)),
    ["model"] = Path.Combine(options.ModelDirectory, modelFile),
    ["dimensions"] = encoder.Dimensions,
    ["onnxRuntime"] = runtime.Version,
    ["utc"] = DateTime.UtcNow.ToString("O"),
};
if (options.Mode is "quality" or "all")
{
    json["quality"] = QualityEval.Run(embeddings, options, Console.Out);
}

if (options.Mode is "lookup" or "all")
{
    json["lookup"] = LookupBench.Run(embeddings, options, Console.Out);
}

Console.Error.WriteLine($"encoded {embeddings.Encoded} distinct texts in {embeddings.Elapsed.TotalSeconds:F1} s in all");
if (options.JsonPath is { } path)
{
    File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    Console.Error.WriteLine($"wrote {path}");
}

return 0;

static string Quote(string arg) => arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or '=') ? arg : $"'{arg}'";

// The folder holding EdgeRouter.sln, looked for above the working directory, then above the binary.
static string RepositoryRoot()
{
    foreach (var start in (string[])[Environment.CurrentDirectory, AppContext.BaseDirectory])
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeRouter.sln")))
            {
                return dir.FullName;
            }
        }
    }

    return Environment.CurrentDirectory;
}
