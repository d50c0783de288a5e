using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using EdgeRouter.Vectors;
using EdgeRouter.Vectors.Hnsw;
using EdgeRouter.Vectors.Kernels;

// Measures EdgeRouter.Vectors' HNSW on a data set dumped by the peers' vector_bench.py (--dump-dir): base.f32 and
// queries.f32 (little-endian float32 rows), gt.i32 (k int32 ids per query, exact top-k by inner product), meta.json.
// It mirrors hnsw_native.cpp (the hnswlib C++ baseline) so the two tables line up: one thread, build with M / efC,
// 200 warm-up queries per ef, then every query timed on its own; QPS = queries / total time.
//   vectorbench DUMP_DIR [--m 16] [--ef-construction 200] [--ef 16,32,64,128] [--quantize] [--rerank 4] [--exact 200]
if (args.Length < 1 || args[0].StartsWith('-'))
{
    Console.Error.WriteLine("usage: vectorbench DUMP_DIR [--m 16] [--ef-construction 200] [--ef 16,32,64,128] [--quantize] [--rerank 4] [--exact 200]");
    return 2;
}

var dir = args[0];
var m = IntOption("--m", 16);
var efConstruction = IntOption("--ef-construction", 200);
var efs = StringOption("--ef", "16,32,64,128").Split(',').Select(int.Parse).ToArray();
var quantize = args.Contains("--quantize");
var rerank = IntOption("--rerank", 4);
var exactQueries = IntOption("--exact", 200);

using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "meta.json")));
var n = meta.RootElement.GetProperty("n").GetInt32();
var nq = meta.RootElement.GetProperty("nq").GetInt32();
var dim = meta.RootElement.GetProperty("dim").GetInt32();
var k = meta.RootElement.GetProperty("k").GetInt32();
var data = ReadArray<float>(Path.Combine(dir, "base.f32"), (long)n * dim);
var queries = ReadArray<float>(Path.Combine(dir, "queries.f32"), (long)nq * dim);
var truth = ReadArray<int>(Path.Combine(dir, "gt.i32"), (long)nq * k);

// PublishAot sets the "no dynamic code" switch for JIT runs too; a process that has JIT-compiled nothing is native.
var aot = System.Runtime.JitInfo.GetCompiledMethodCount() == 0;
var impl = $"EdgeRouter HNSW{(quantize ? $" int8+rerank×{rerank}" : "")} {(aot ? "AOT" : "JIT")} {VectorKernels.Width}";
Console.WriteLine($"# {meta.RootElement.GetProperty("name").GetString()}: n={n}, nq={nq}, d={dim}, k={k}, M={m}, efC={efConstruction}, " +
    $"one thread; {RuntimeInformation.FrameworkDescription}, {(aot ? "native AOT" : "JIT")}, kernels {VectorKernels.Width}, " +
    $"{Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-ddTHH:mmZ}");
Console.WriteLine($"| impl | ef | build s | QPS (1 thread) | recall@{k} | p50 us | p99 us |");
Console.WriteLine("|---|---|---|---|---|---|---|");

var results = new SearchResult[Math.Max(k, 1)];
if (exactQueries > 0)
{
    // The exact scan, as hnsw_native's first row: every base vector against each of the first 200 queries.
    using var exact = new BruteForceIndex(dim, n);
    for (var i = 0; i < n; i++)
    {
        exact.Add((ulong)i, data.AsSpan(i * dim, dim));
    }

    var count = Math.Min(exactQueries, nq);
    var (seconds, recall, p50, p99) = Measure(count, q => exact.Search(queries.AsSpan(q * dim, dim), k, results));
    Console.WriteLine($"| exact scan {(aot ? "AOT" : "JIT")} {VectorKernels.Width} | - | 0 | {count / seconds:F0} | {recall:F4} | {p50:F1} | {p99:F1} |");
}

var managedBefore = GC.GetTotalMemory(forceFullCollection: true);
using var index = new HnswIndex(new HnswOptions
{
    Dimension = dim,
    M = m,
    EfConstruction = efConstruction,
    Seed = 100,
    InitialCapacity = n,
    Quantize = quantize,
    RerankFactor = rerank,
});
var watch = Stopwatch.StartNew();
for (var i = 0; i < n; i++)
{
    index.Add((ulong)i, data.AsSpan(i * dim, dim));
}

var build = watch.Elapsed.TotalSeconds;
var managed = GC.GetTotalMemory(forceFullCollection: true) - managedBefore;
GC.KeepAlive(data); // counted in both measurements, not collected between them

foreach (var ef in efs)
{
    for (var q = 0; q < Math.Min(nq, 200); q++)
    {
        index.Search(queries.AsSpan(q * dim, dim), k, results, ef);
    }

    var (seconds, recall, p50, p99) = Measure(nq, q => index.Search(queries.AsSpan(q * dim, dim), k, results, ef));
    Console.WriteLine($"| {impl} | {ef} | {build:F1} | {nq / seconds:F0} | {recall:F4} | {p50:F1} | {p99:F1} |");
}

Console.WriteLine();
Console.WriteLine($"memory per vector: {(double)index.NativeMemoryBytes / n:F0} B native (level-0 record {index.RecordBytes} B" +
    $"{(quantize ? $" + {dim * sizeof(float)} B float copy" : "")}, upper levels) + {(double)managed / n:F0} B managed (label map); " +
    $"raw vector {dim * sizeof(float)} B");
return 0;

(double Seconds, double Recall, double P50, double P99) Measure(int count, Func<int, int> search)
{
    var latencies = new double[count];
    long hits = 0;
    var total = Stopwatch.StartNew();
    for (var q = 0; q < count; q++)
    {
        var start = Stopwatch.GetTimestamp();
        var found = search(q);
        latencies[q] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        var want = truth.AsSpan(q * k, k);
        for (var i = 0; i < found; i++)
        {
            if (want.Contains((int)results[i].Label))
            {
                hits++;
            }
        }
    }

    var seconds = total.Elapsed.TotalSeconds;
    Array.Sort(latencies);
    return (seconds, (double)hits / ((long)count * k), latencies[count / 2], latencies[(int)(count * 0.99)]);
}

int IntOption(string name, int fallback) => int.Parse(StringOption(name, fallback.ToString()));

string StringOption(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

static T[] ReadArray<T>(string path, long count)
    where T : unmanaged
{
    var array = new T[count];
    using var file = File.OpenRead(path);
    var bytes = MemoryMarshal.AsBytes(array.AsSpan());
    if (file.Length != bytes.Length)
    {
        throw new InvalidDataException($"{path}: expected {bytes.Length} bytes, found {file.Length}.");
    }

    file.ReadExactly(bytes);
    return array;
}
