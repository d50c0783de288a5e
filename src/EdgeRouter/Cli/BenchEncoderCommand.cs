using System.Diagnostics;
using System.Globalization;
using EdgeRouter.Inference.Models;
using EdgeRouter.Inference.OnnxRuntime;

namespace EdgeRouter.Cli;

/// <summary>
/// <c>edgerouter bench-encoder --model DIR</c>: measures an encoder inside this binary, one thread, at several input
/// lengths: tokenizing alone, the model run alone (preallocated tensors) and the whole <c>Encode</c> call.
/// </summary>
internal static class BenchEncoderCommand
{
    private const string Words =
        "please route this request to the cheapest model that can still answer the question well and explain briefly " +
        "why a gateway in front of several providers saves money while keeping latency low for voice agents and chat";

    public static int Run(string[] args)
    {
        if (!CommandLine.TryGetOption(args, "--model", out var model, out var error) || model is null)
        {
            Console.Error.WriteLine($"edgerouter bench-encoder: {error ?? "--model DIR is required"}\nusage: edgerouter bench-encoder --model DIR [--tokens 16,32,64,128] [--iterations 2000] [--int8] [--onnxruntime PATH]");
            return CommandLine.Usage;
        }

        CommandLine.TryGetOption(args, "--tokens", out var tokensOption, out _);
        CommandLine.TryGetOption(args, "--iterations", out var iterationsOption, out _);
        CommandLine.TryGetOption(args, "--onnxruntime", out var runtimePath, out _);
        var lengths = (tokensOption ?? "16,32,64,128").Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var iterations = int.Parse(iterationsOption ?? "2000", CultureInfo.InvariantCulture);
        SentenceEncoder encoder;
        try
        {
            encoder = SentenceEncoder.Load("bench", OnnxRuntimeLibrary.Load(runtimePath), model, new SessionSettings(), preferInt8: args.Contains("--int8"));
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or InvalidDataException or IOException)
        {
            Console.Error.WriteLine($"edgerouter bench-encoder: {ex.Message}");
            return 1;
        }

        using (encoder)
        {
            Console.WriteLine($"encoder {encoder.Session.ModelPath}: {encoder.Dimensions} dimensions, ONNX Runtime {encoder.Session.Runtime.Version}, 1 thread, {iterations} iterations per length");
            Console.WriteLine("| tokens | tokenize p50 µs | model run p50 µs | p99 µs | encode p50 µs | p99 µs | encode / run |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            foreach (var length in lengths.Where(l => l <= encoder.MaxTokens))
            {
                var text = TextOf(encoder, length);
                var ids = new int[encoder.MaxTokens];
                ids = ids[..encoder.Tokenizer.Encode(text, ids)];
                var vector = new float[encoder.Dimensions];
                var tokenize = Measure(iterations, () => encoder.Tokenizer.Encode(text, ids));
                var run = Measure(iterations, () => encoder.RunModel(ids));
                var encode = Measure(iterations, () => encoder.Encode(text, vector));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {ids.Length} | {tokenize.P50:F1} | {run.P50:F1} | {run.P99:F1} | {encode.P50:F1} | {encode.P99:F1} | {encode.P50 / run.P50:F3} |"));
            }
        }

        return CommandLine.Ok;
    }

    /// <summary>A text of about <paramref name="length"/> tokens, special tokens included (the table shows the exact count).</summary>
    private static string TextOf(SentenceEncoder encoder, int length)
    {
        var pool = Words.Split(' ');
        var words = new List<string>();
        var ids = new int[encoder.MaxTokens];
        while (encoder.Tokenizer.Encode(string.Join(' ', words), ids) < length)
        {
            words.Add(pool[words.Count % pool.Length]);
        }

        return string.Join(' ', words);
    }

    private static (double P50, double P99) Measure(int iterations, Action action)
    {
        for (var i = 0; i < Math.Min(200, iterations); i++)
        {
            action();
        }

        var samples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(samples);
        return (samples[iterations / 2], samples[(int)(iterations * 0.99)]);
    }
}
