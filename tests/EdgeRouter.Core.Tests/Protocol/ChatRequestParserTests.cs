using System.Text;
using EdgeRouter.Protocol;

namespace EdgeRouter.Tests.Protocol;

public class ChatRequestParserTests
{
    private static ChatRequest Parse(string json)
    {
        var request = ChatRequestParser.Parse(Encoding.UTF8.GetBytes(json), out var error);
        Assert.True(request is not null, error?.Message);
        return request;
    }

    private static RequestError Reject(string json) => Reject(Encoding.UTF8.GetBytes(json));

    private static RequestError Reject(byte[] body)
    {
        var request = ChatRequestParser.Parse(body, out var error);
        Assert.Null(request);
        Assert.NotNull(error);
        return error;
    }

    [Fact]
    public void AFullRequestIsReadWithoutTouchingUnknownFields()
    {
        const string json = """
            {"model":"auto","messages":[{"role":"system","content":"be brief"},
              {"role":"user","content":[{"type":"text","text":"what is this?"},{"type":"image_url","image_url":{"url":"data:,x"}}]},
              {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"c1","content":"42"},
              {"role":"user","content":"thanks"}],
             "stream":true,"stream_options":{"include_usage":true},"temperature":0.2,"top_p":1,"n":2,
             "max_tokens":50,"max_completion_tokens":64,"stop":["\n"],"tools":[{"type":"function","function":{"name":"f"}}],
             "tool_choice":"auto","response_format":{"type":"json_object"},"seed":7,"logprobs":false,"user":"u1",
             "metadata":{"a":"b"},"x_vendor_extension":{"deep":[1,2,{"x":null}]}}
            """;

        var request = Parse(json);

        Assert.Equal("auto", request.Model);
        Assert.True(request.Stream);
        Assert.True(request.IncludeUsage);
        Assert.Equal(5, request.MessageCount);
        Assert.True(request.HasTools);
        Assert.True(request.HasImages);
        Assert.Equal("json_object", request.ResponseFormat);
        Assert.Equal(2, request.Choices);
        Assert.Equal(0.2, request.Temperature);
        Assert.Equal(64, request.MaxTokens);
        Assert.Equal("\"thanks\"", Encoding.UTF8.GetString(request.LastUserContent.Slice(request.Body.Span)));
        Assert.Equal("\"auto\"", Encoding.UTF8.GetString(request.ModelValue.Slice(request.Body.Span)));
        Assert.Equal((byte)'}', request.Body.Span[request.ObjectEnd]);
    }

    [Theory]
    [InlineData("{\"model\":\"m\",\"messages\":[", "invalid_json")]
    [InlineData("", "invalid_json")]
    [InlineData("[1,2]", "invalid_json")]
    [InlineData("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} trailing", "invalid_json")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "missing_required_parameter")]
    [InlineData("{\"model\":\"m\"}", "missing_required_parameter")]
    [InlineData("{\"model\":\"m\",\"messages\":[]}", "empty_array")]
    [InlineData("{\"model\":\"m\",\"model\":\"n\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "duplicate_parameter")]
    [InlineData("{\"model\":\"\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "invalid_value")]
    [InlineData("{\"model\":\"m\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}", "invalid_value")]
    [InlineData("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":0}", "invalid_value")]
    [InlineData("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":3}", "invalid_value")]
    [InlineData("{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}", "missing_required_parameter")]
    [InlineData("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":null}]}", "missing_required_parameter")]
    [InlineData("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]}", "missing_required_parameter")]
    public void MalformedRequestsAreRejectedWithTheRightCode(string json, string code)
    {
        var error = Reject(json);

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(code, error.Code);
        Assert.Equal("invalid_request_error", error.Type);
    }

    [Theory]
    [InlineData("\"model\":42", "model", "a string", "a number")]
    [InlineData("\"stream\":\"yes\"", "stream", "a boolean", "a string")]
    [InlineData("\"temperature\":\"hot\"", "temperature", "a number", "a string")]
    [InlineData("\"max_tokens\":1.5", "max_tokens", "an integer", "a decimal")]
    [InlineData("\"stop\":[1]", "stop[0]", "a string", "a number")]
    [InlineData("\"tools\":{}", "tools", "an array", "an object")]
    [InlineData("\"tool_choice\":3", "tool_choice", "a string or an object", "a number")]
    [InlineData("\"response_format\":\"json\"", "response_format", "an object", "a string")]
    [InlineData("\"stream_options\":{\"include_usage\":1}", "stream_options.include_usage", "a boolean", "a number")]
    [InlineData("\"messages\":\"hi\"", "messages", "an array", "a string")]
    [InlineData("\"messages\":[{\"role\":\"user\",\"content\":5}]", "messages[0].content", "a string or an array of content parts", "a number")]
    [InlineData("\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":\"x\"}]}]", "messages[0].content[0].image_url", "an object", "a string")]
    public void AWrongTypeNamesTheParameterAndBothTypes(string field, string param, string expected, string got)
    {
        var json = "{" + field + (field.StartsWith("\"model\"", StringComparison.Ordinal) ? "" : ",\"model\":\"m\"")
            + (field.StartsWith("\"messages\"", StringComparison.Ordinal) ? "" : ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]") + "}";

        var error = Reject(json);

        Assert.Equal("invalid_type", error.Code);
        Assert.Equal(param, error.Param);
        Assert.Equal($"Invalid type for '{param}': expected {expected}, but got {got}.", error.Message);
    }

    [Fact]
    public void DeeplyNestedUnknownFieldsAreRejectedNotFatal()
    {
        var json = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"x\":" + new string('[', 10_000) + new string(']', 10_000) + "}";

        Assert.Equal("invalid_json", Reject(json).Code);
    }

    [Fact]
    public void InvalidUtf8IsRejected()
    {
        var body = Encoding.UTF8.GetBytes("{\"model\":\"m\u00e9\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        var accent = Array.IndexOf(body, (byte)0xC3);
        body[accent + 1] = 0x28; // break the two-byte sequence

        Assert.Equal(400, Reject(body).StatusCode);
    }

    [Fact]
    public void AnAssistantMessageMayOmitContentWhenItCallsTools()
    {
        var request = Parse("""{"model":"m","messages":[{"role":"assistant","tool_calls":[]},{"role":"user","content":"x"}]}""");

        Assert.Equal(2, request.MessageCount);
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var random = new Random(1234);
        var seed = Encoding.UTF8.GetBytes("""{"model":"auto","messages":[{"role":"user","content":[{"type":"text","text":"hé"}]}],"stream":true,"n":1}""");
        for (var i = 0; i < 20_000; i++)
        {
            var body = (byte[])seed.Clone();
            var mutations = random.Next(1, 6);
            for (var m = 0; m < mutations; m++)
            {
                body[random.Next(body.Length)] = (byte)random.Next(256);
            }

            var request = ChatRequestParser.Parse(body, out var error);
            Assert.True(request is not null ^ error is not null);
            Assert.True(error is null || error.StatusCode == 400);
        }
    }
}
