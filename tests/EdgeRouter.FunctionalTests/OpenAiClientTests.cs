using System.ClientModel;
using System.Text;
using OpenAI;
using OpenAI.Chat;

namespace EdgeRouter.FunctionalTests;

/// <summary>The official OpenAI .NET client, pointed at the gateway, works unchanged.</summary>
public class OpenAiClientTests
{
    private static ChatClient Client(TestGateway test, string model) =>
        new(model, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(test.Gateway.Addresses[0], "/v1") });

    [Fact]
    public async Task ANonStreamingCompletionWorks()
    {
        await using var test = await TestGateway.StartAsync();

        ChatCompletion completion = await Client(test, "fast").CompleteChatAsync([new UserChatMessage("What is a gateway?")]);

        Assert.Equal("sim/cheap", completion.Model);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.False(string.IsNullOrWhiteSpace(completion.Content[0].Text));
        Assert.True(completion.Usage.OutputTokenCount > 0);
        var upstream = System.Text.Json.JsonDocument.Parse(test.Sim.Recent("sim-cheap")[^1].ResponseBody).RootElement;
        Assert.Equal(upstream.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), completion.Content[0].Text);
    }

    [Fact]
    public async Task AStreamingCompletionWorksAndCarriesUsageWhenAsked()
    {
        await using var test = await TestGateway.StartAsync();
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        string? model = null;

        await foreach (var update in Client(test, "sim/strong").CompleteChatStreamingAsync(
            [new UserChatMessage("Stream please")], new ChatCompletionOptions { MaxOutputTokenCount = 8 }))
        {
            model ??= update.Model;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage ??= update.Usage;
        }

        Assert.Equal("sim/strong", model);
        Assert.Equal(8, text.ToString().Split(' ').Length);
        Assert.NotNull(usage);
        Assert.Equal(8, usage.OutputTokenCount);
    }

    [Fact]
    public async Task GatewayErrorsSurfaceAsClientExceptions()
    {
        await using var test = await TestGateway.StartAsync();

        var error = await Assert.ThrowsAsync<ClientResultException>(() => Client(test, "no-such-route").CompleteChatAsync([new UserChatMessage("x")]));

        Assert.Equal(404, error.Status);
        Assert.Contains("no-such-route", error.Message, StringComparison.Ordinal);
    }
}
