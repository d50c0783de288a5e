using System.Buffers;
using System.Text;
using EdgeRouter.Dispatch.Strategies;
using EdgeRouter.Protocol;

namespace EdgeRouter.Tests.Strategies;

public class BufferedRequestWriterTests
{
    private static string Write(string body)
    {
        var request = ChatRequestParser.Parse(Encoding.UTF8.GetBytes(body), out var error) ?? throw new InvalidOperationException(error!.Message);
        var output = new ArrayBufferWriter<byte>();
        BufferedRequestWriter.Write(request, "\"up-model\""u8.ToArray(), output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void StreamAndStreamOptionsAreDroppedAndTheModelReplaced() =>
        Assert.Equal("""{"model": "up-model","messages":[{"role":"user","content":"hi"}],"temperature":0.2}""",
            Write("""{"stream":true,"model": "route","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true},"temperature":0.2}"""));

    [Fact]
    public void EverythingElseIsCopiedByteForByte() =>
        Assert.Equal("""{"model":"up-model","messages":[{"role":"user","content":"h\u00e9"}],"response_format":{"type":"json_object"},"n":2}""",
            Write("""{"model":"route","messages":[{"role":"user","content":"h\u00e9"}],"response_format":{"type":"json_object"},"n":2}"""));

    [Fact]
    public void AStreamAsTheLastMemberLeavesNoDanglingComma() =>
        Assert.Equal("""{"model":"up-model","messages":[{"role":"user","content":"hi"}]}""",
            Write("""{"model":"route","messages":[{"role":"user","content":"hi"}],"stream":false}"""));
}
