using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeRouter.Hosting;
using EdgeRouter.Simulator;

namespace EdgeRouter.Replay;

/// <summary>What one request of a replay came to.</summary>
/// <param name="Status">HTTP status.</param>
/// <param name="Right">True when the answer is a right answer to this prompt.</param>
/// <param name="Model">The model that answered (<c>x-edgerouter-model</c>).</param>
/// <param name="CacheHit">True when the cache answered.</param>
/// <param name="CostUsd">The answer's cost plus the extra calls the strategy made (judges, escalations, race losers).</param>
/// <param name="LatencyMs">Client-side wall time.</param>
internal readonly record struct ReplayOutcome(int Status, bool Right, string? Model, bool CacheHit, decimal CostUsd, double LatencyMs);

/// <summary>One technique's requests and the simulator's call counts while it ran.</summary>
internal sealed record TechniqueRun(ReplayTechnique Technique, IReadOnlyList<ReplayOutcome> Outcomes, long CheapCalls, long StrongCalls, long JudgeCalls, double Seconds);

/// <summary>
/// Runs a replay: starts the simulator and a gateway in-process, scripts the simulator with the dataset's right and
/// wrong answers, then sends the same traffic through each technique's route and records every outcome.
/// </summary>
internal static class ReplayRunner
{
    public static async Task<IReadOnlyList<TechniqueRun>> RunAsync(ReplayTraffic traffic, ReplaySettings settings, int concurrency,
        IReadOnlyCollection<string>? only, TextWriter progress, CancellationToken cancellationToken)
    {
        await using var simulator = await SimulatorServer.StartAsync(ReplayScenario.Simulator(settings), cancellationToken: cancellationToken);
        using (var admin = new HttpClient { BaseAddress = simulator.BaseAddress, Timeout = TimeSpan.FromMinutes(2) })
        {
            using var script = new ByteArrayContent(ReplayScenario.Script(traffic.Prompts, settings));
            script.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var scripted = await admin.PostAsync("/_sim/script", script, cancellationToken);
            if (!scripted.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"the simulator refused the script: {(int)scripted.StatusCode} {await scripted.Content.ReadAsStringAsync(cancellationToken)}");
            }
        }

        var config = ReplayScenario.GatewayConfig(simulator.ApiBase, settings);
        await using var gateway = await GatewayApp.StartAsync(new GatewayOptions
        {
            ConfigJson = Encoding.UTF8.GetBytes(config),
            HandleSignals = false,
            Environment = _ => null,
        }, cancellationToken);
        using var client = new HttpClient { BaseAddress = gateway.Addresses[0], Timeout = TimeSpan.FromMinutes(2) };
        var runs = new List<TechniqueRun>();
        foreach (var technique in ReplayScenario.Techniques(settings).Where(t => only is null || only.Contains(t.Name)))
        {
            var before = Calls(simulator.State);
            var watch = Stopwatch.StartNew();
            var outcomes = await SendAllAsync(client, technique.Name, traffic.Requests, concurrency, cancellationToken);
            var after = Calls(simulator.State);
            var run = new TechniqueRun(technique, outcomes, after.Cheap - before.Cheap, after.Strong - before.Strong, after.Judge - before.Judge,
                watch.Elapsed.TotalSeconds);
            runs.Add(run);
            await progress.WriteLineAsync($"replay: {technique.Name}: {outcomes.Count} requests in {run.Seconds:F1} s");
        }

        return runs;
    }

    private static (long Cheap, long Strong, long Judge) Calls(SimulatorState state) =>
        (state.Stats(ReplayScenario.Cheap).Requests, state.Stats(ReplayScenario.Strong).Requests, state.Stats(ReplayScenario.Judge).Requests);

    private static async Task<IReadOnlyList<ReplayOutcome>> SendAllAsync(HttpClient client, string route, IReadOnlyList<ReplayPrompt> requests,
        int concurrency, CancellationToken cancellationToken)
    {
        var outcomes = new ReplayOutcome[requests.Count];
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests.Count)
            {
                outcomes[i] = await SendAsync(client, route, requests[i], cancellationToken);
            }
        });
        await Task.WhenAll(workers);
        return outcomes;
    }

    private static async Task<ReplayOutcome> SendAsync(HttpClient client, string route, ReplayPrompt prompt, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new ReplayRequest(route, [new ReplayMessage("user", prompt.Prompt)]), ReplayRequestJson.Default.ReplayRequest);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var started = Stopwatch.GetTimestamp();
        using var response = await client.PostAsync("/v1/chat/completions", content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var status = (int)response.StatusCode;
        if (status != 200)
        {
            return new ReplayOutcome(status, false, null, false, 0m, latency);
        }

        var model = Header(response, "x-edgerouter-model");
        var hit = Header(response, "x-edgerouter-cache")?.StartsWith("hit", StringComparison.Ordinal) == true;
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        var answer = root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        var cost = hit ? 0m : AnswerCost(root, model) + ExtraCost(Header(response, "x-edgerouter-decision"));
        return new ReplayOutcome(status, ReplayTraffic.IsRight(prompt, answer), model, hit, cost, latency);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static decimal AnswerCost(JsonElement completion, string? model)
    {
        if (!completion.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return 0m;
        }

        var input = usage.GetProperty("prompt_tokens").GetInt64();
        var output = usage.GetProperty("completion_tokens").GetInt64();
        var (inPrice, outPrice) = model == "sim/strong"
            ? (ReplayScenario.StrongInput, ReplayScenario.StrongOutput)
            : (ReplayScenario.CheapInput, ReplayScenario.CheapOutput);
        return ((input * inPrice) + (output * outPrice)) / 1_000_000m;
    }

    private static decimal ExtraCost(string? decision)
    {
        if (decision is null)
        {
            return 0m;
        }

        using var document = JsonDocument.Parse(decision);
        return document.RootElement.TryGetProperty("extraCostUsd", out var extra) ? extra.GetDecimal() : 0m;
    }
}

internal sealed record ReplayMessage(string Role, string Content);

internal sealed record ReplayRequest(string Model, IReadOnlyList<ReplayMessage> Messages);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ReplayRequest))]
internal sealed partial class ReplayRequestJson : System.Text.Json.Serialization.JsonSerializerContext;
