using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeRouter.Protocol;

namespace EdgeRouter.Benchmarks.Protocol;

/// <summary>What the gateway does to every streamed event: find model and usage, rewrite the model, cut usage.</summary>
public class StreamEventBenchmarks
{
    private static readonly byte[] ClientModel = UpstreamRequestWriter.EncodeJsonString("openai/gpt-4o-mini");
    private static readonly byte[] Chunk = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-abc123","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":" the"},"logprobs":null,"finish_reason":null}],"usage":null}""");

    private readonly PooledBufferWriter _output = new(4096);

    [Benchmark(Baseline = true)]
    public bool Scan() => ChatResponseScanner.TryScan(Chunk, out _);

    [Benchmark]
    public int ScanAndRewrite()
    {
        ChatResponseScanner.TryScan(Chunk, out var info);
        _output.Clear();
        JsonEdit.Apply(Chunk,
            [new JsonEdit(info.Model.Start, info.Model.Length, ClientModel), new JsonEdit(info.UsageMember.Start, info.UsageMember.Length, ReadOnlyMemory<byte>.Empty)],
            _output);
        return _output.WrittenCount;
    }
}
