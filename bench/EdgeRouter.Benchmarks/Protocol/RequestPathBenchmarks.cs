using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeRouter.Protocol;

namespace EdgeRouter.Benchmarks.Protocol;

/// <summary>What the gateway does to every chat request body: validate it in one pass and write the upstream body.</summary>
public class RequestPathBenchmarks
{
    private static readonly byte[] UpstreamModel = UpstreamRequestWriter.EncodeJsonString("gpt-4o-mini");
    private readonly PooledBufferWriter _output = new(64 * 1024);
    private byte[] _body = [];
    private ChatRequest _parsed = null!;

    /// <summary>A short single-turn prompt, or a 20-turn conversation with tools (about 6 KB).</summary>
    [Params("short", "conversation")]
    public string Shape { get; set; } = "short";

    [GlobalSetup]
    public void Setup()
    {
        _body = Encoding.UTF8.GetBytes(Shape == "short" ? Short : Conversation());
        _parsed = ChatRequestParser.Parse(_body, out _)!;
    }

    [Benchmark(Baseline = true)]
    public ChatRequest? Parse() => ChatRequestParser.Parse(_body, out _);

    [Benchmark]
    public int RewriteForUpstream()
    {
        _output.Clear();
        UpstreamRequestWriter.Write(_parsed, UpstreamModel, addUsage: true, _output);
        return _output.WrittenCount;
    }

    private const string Short = """{"model":"auto","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"What is the capital of France? Answer in one word."}],"temperature":0,"max_tokens":32,"stream":true}""";

    private static string Conversation()
    {
        var text = new StringBuilder("""{"model":"auto","stream":true,"tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{"q":{"type":"string"}}}}}],"messages":[{"role":"system","content":"You are a helpful assistant that answers briefly."}""");
        for (var turn = 0; turn < 20; turn++)
        {
            text.Append($$""",{"role":"user","content":"Question {{turn}}: how does the routing gateway decide which model answers this request?"}""");
            text.Append($$""",{"role":"assistant","content":"Answer {{turn}}: it scores the prompt, checks the cache and the budget, then picks the cheapest model that should do well."}""");
        }

        return text.Append("]}").ToString();
    }
}
