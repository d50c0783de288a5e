using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

// Open-loop load generator: sends requests at a fixed rate to two targets (the simulator directly, then the
// gateway in front of it) and reports latency percentiles of each and the difference, the gateway's added latency.
// Sends are paced by the clock, never by responses, so a slow target cannot slow the offered load down (no
// coordinated omission). Latency runs from the moment a request is handed to the client, not from its slot in the
// schedule: timer granularity (about 1 ms) would otherwise add the same lateness to every sample of both targets.
var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("""
        usage: EdgeRouter.LoadTest --direct URL --direct-model NAME --gateway URL --model NAME
                                   [--rate 200] [--duration 20] [--warmup 5] [--stream] [--vary] [--label text]
        """);
    return 2;
}

var invariant = CultureInfo.InvariantCulture;
var direct = await Run("direct", options.Direct, options.DirectModel, options);
var gateway = await Run("gateway", options.Gateway, options.Model, options);
Console.WriteLine();
Console.WriteLine($"scenario: {options.Label} | rate {options.Rate}/s | {options.Duration}s after {options.Warmup}s warm-up | stream={options.Stream}");
Console.WriteLine("| target | requests | errors | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
foreach (var result in new[] { direct, gateway })
{
    Console.WriteLine(string.Create(invariant,
        $"| {result.Name} | {result.Latencies.Count} | {result.Errors} | {result.P(50):F3} | {result.P(90):F3} | {result.P(99):F3} | {result.P(99.9):F3} | {result.P(100):F3} |"));
}

Console.WriteLine(string.Create(invariant,
    $"| added (gateway - direct) | | | {gateway.P(50) - direct.P(50):F3} | {gateway.P(90) - direct.P(90):F3} | {gateway.P(99) - direct.P(99):F3} | {gateway.P(99.9) - direct.P(99.9):F3} | |"));
if (gateway.Overheads.Count > 0)
{
    var overheads = gateway.Overheads.Order().ToList();
    Console.WriteLine(string.Create(invariant,
        $"gateway-reported overhead (x-edgerouter-overhead-ms): p50 {Percentile(overheads, 50):F3} ms, p99 {Percentile(overheads, 99):F3} ms"));
}

return direct.Errors + gateway.Errors == 0 ? 0 : 1;

static async Task<Result> Run(string name, Uri url, string model, Options options)
{
    using var handler = new SocketsHttpHandler
    {
        UseProxy = false,
        MaxConnectionsPerServer = 512,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
        AutomaticDecompression = DecompressionMethods.None,
    };
    using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    // --vary makes every user message unique (a 32-token prompt with a request number), so a cache never hits and
    // every request pays the whole smart path; otherwise every request repeats one prompt.
    var counter = 0;
    byte[] Body() => Encoding.UTF8.GetBytes(options.Vary
        ? $$"""{"model":"{{model}}","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Request {{Interlocked.Increment(ref counter)}}: explain in two sentences why a routing gateway in front of several language model providers lowers cost while keeping answers good and latency low."}]{{(options.Stream ? ",\"stream\":true" : "")}}}"""
        : $$"""{"model":"{{model}}","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Summarise the benefits of an LLM routing gateway in two sentences."}]{{(options.Stream ? ",\"stream\":true" : "")}}}""");
    var result = new Result(name);
    await Phase(client, url, Body, options.Rate, options.Warmup, options.Stream, null);
    await Phase(client, url, Body, options.Rate, options.Duration, options.Stream, result);
    return result;
}

static async Task Phase(HttpClient client, Uri url, Func<byte[]> body, int rate, int seconds, bool stream, Result? result)
{
    var total = rate * seconds;
    var interval = Stopwatch.Frequency / (double)rate;
    var start = Stopwatch.GetTimestamp();
    var pending = new List<Task>(total);
    for (var i = 0; i < total; i++)
    {
        var due = start + (long)(i * interval);
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
        if (wait > TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(wait);
        }

        while (Stopwatch.GetTimestamp() < due)
        {
            Thread.SpinWait(20);
        }

        pending.Add(Send(client, url, body(), stream, result));
    }

    await Task.WhenAll(pending);
}

static async Task Send(HttpClient client, Uri url, byte[] body, bool stream, Result? result)
{
    var sent = Stopwatch.GetTimestamp();
    try
    {
        using var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        using var response = await client.PostAsync(url, content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        var complete = response.IsSuccessStatusCode && (!stream || bytes.AsSpan().EndsWith("data: [DONE]\n\n"u8));
        if (result is null)
        {
            return;
        }

        if (!complete)
        {
            Interlocked.Increment(ref result.Errors);
            return;
        }

        lock (result.Latencies)
        {
            result.Latencies.Add(elapsed);
            if (response.Headers.TryGetValues("x-edgerouter-overhead-ms", out var values)
                && double.TryParse(values.First(), NumberStyles.Float, CultureInfo.InvariantCulture, out var overhead))
            {
                result.Overheads.Add(overhead);
            }
        }
    }
    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
    {
        if (result is not null)
        {
            Interlocked.Increment(ref result.Errors);
        }
    }
}

static double Percentile(List<double> sorted, double p)
{
    if (sorted.Count == 0)
    {
        return double.NaN;
    }

    var rank = (int)Math.Ceiling(p / 100 * sorted.Count) - 1;
    return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
}

internal sealed class Result(string name)
{
    private List<double>? _sorted;

    public int Errors;

    public string Name { get; } = name;

    public List<double> Latencies { get; } = [];

    public List<double> Overheads { get; } = [];

    public double P(double p)
    {
        _sorted ??= [.. Latencies.Order()];
        if (_sorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * _sorted.Count) - 1;
        return _sorted[Math.Clamp(rank, 0, _sorted.Count - 1)];
    }
}

internal sealed record Options(Uri Direct, string DirectModel, Uri Gateway, string Model, int Rate, int Duration, int Warmup, bool Stream, string Label, bool Vary = false)
{
    public static Options? Parse(string[] args)
    {
        string? Get(string name)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
        }

        if (Get("--direct") is not { } direct || Get("--gateway") is not { } gateway || Get("--model") is not { } model
            || Get("--direct-model") is not { } directModel)
        {
            return null;
        }

        return new Options(new Uri(direct), directModel, new Uri(gateway), model,
            int.Parse(Get("--rate") ?? "200", CultureInfo.InvariantCulture),
            int.Parse(Get("--duration") ?? "20", CultureInfo.InvariantCulture),
            int.Parse(Get("--warmup") ?? "5", CultureInfo.InvariantCulture),
            args.Contains("--stream"),
            Get("--label") ?? "",
            args.Contains("--vary"));
    }
}
