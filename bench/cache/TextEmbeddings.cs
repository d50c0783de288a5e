using System.Diagnostics;
using System.Numerics.Tensors;
using EdgeRouter.Inference.Models;

namespace EdgeRouter.CacheBench;

/// <summary>
/// Unit-length sentence embeddings from the encoder, each distinct text encoded once (in parallel, since the
/// encoder is thread-safe and the data-set passes are not what is being timed).
/// </summary>
internal sealed class TextEmbeddings(SentenceEncoder encoder, int threads)
{
    private readonly Dictionary<string, float[]> _known = new(StringComparer.Ordinal);

    public SentenceEncoder Encoder => encoder;

    public int Dimensions => encoder.Dimensions;

    /// <summary>Texts encoded so far and the wall time it took.</summary>
    public int Encoded => _known.Count;

    public TimeSpan Elapsed { get; private set; }

    public float[][] Encode(IReadOnlyList<string> texts, string what)
    {
        var missing = texts.Where(t => !_known.ContainsKey(t)).Distinct(StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
        {
            var vectors = new float[missing.Length][];
            var done = 0;
            var watch = Stopwatch.StartNew();
            var lastReport = 0L;
            Parallel.For(0, missing.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, i =>
            {
                var vector = new float[encoder.Dimensions];
                encoder.Encode(missing[i], vector);
                Normalise(vector);
                vectors[i] = vector;
                var count = Interlocked.Increment(ref done);
                var seconds = (long)watch.Elapsed.TotalSeconds;
                if (seconds >= Interlocked.Read(ref lastReport) + 10 && Interlocked.Exchange(ref lastReport, seconds) != seconds)
                {
                    Console.Error.WriteLine($"  encoding {what}: {count}/{missing.Length}");
                }
            });
            Elapsed += watch.Elapsed;
            for (var i = 0; i < missing.Length; i++)
            {
                _known[missing[i]] = vectors[i];
            }

            Console.Error.WriteLine($"  encoded {missing.Length} texts for {what} in {watch.Elapsed.TotalSeconds:F1} s");
        }

        return [.. texts.Select(t => _known[t])];
    }

    /// <summary>Scales to unit length (the encoder does when its manifest says so; this makes cosine a dot product regardless).</summary>
    public static void Normalise(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Multiply(vector, 1f / norm, vector);
        }
    }
}
