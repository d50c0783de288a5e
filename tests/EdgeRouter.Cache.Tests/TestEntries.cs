using System.Text;

namespace EdgeRouter.Cache.Tests;

/// <summary>Builders for cache entries and hand-made embeddings shared by the tests.</summary>
internal static class TestEntries
{
    public const int Dimensions = 8;

    /// <summary>Unix milliseconds of FakeTimeProvider's default start (2000-01-01T00:00:00Z).</summary>
    public static readonly long FakeEpochMs = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>The unit vector along <paramref name="axis"/>.</summary>
    public static float[] Axis(int axis)
    {
        var vector = new float[Dimensions];
        vector[axis] = 1f;
        return vector;
    }

    /// <summary>A unit vector whose cosine with <c>Axis(axis)</c> is <paramref name="cosine"/>, tilted towards <paramref name="towards"/>.</summary>
    public static float[] AtCosine(int axis, float cosine, int towards)
    {
        var vector = new float[Dimensions];
        vector[axis] = cosine;
        vector[towards] = MathF.Sqrt(1f - (cosine * cosine));
        return vector;
    }

    public static CacheEntry Entry(string tenant = "acme", string route = "auto", UInt128? exact = null, ulong context = 7,
        string prompt = "how do I reset my password", float[]? embedding = null, long created = 0, int ttlSeconds = 3600,
        string json = """{"answer":1}""", params string[] tags) =>
        new()
        {
            Id = Guid.NewGuid(),
            Tenant = tenant,
            Route = route,
            ExactHash = exact ?? new UInt128((ulong)Random.Shared.NextInt64(), (ulong)Random.Shared.NextInt64()),
            ContextHash = context,
            Prompt = prompt,
            Embedding = embedding ?? [],
            Json = Encoding.UTF8.GetBytes(json),
            Model = "p/cheap",
            PromptTokens = 12,
            CompletionTokens = 34,
            CostUsd = 0.0042m,
            CreatedUnixMs = created == 0 ? FakeEpochMs : created,
            TtlSeconds = ttlSeconds,
            Tags = tags,
        };
}

/// <summary>A temporary directory removed (with anything moved beside it) on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "edgerouter-cache-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    /// <summary>A parent folder private to this test; stores live in sub-folders so that moved-aside copies stay inside.</summary>
    public string Root { get; }

    public string Path(string name) => System.IO.Path.Combine(Root, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Copies <paramref name="source"/> recursively to <paramref name="destination"/>, as a crash would leave it.</summary>
    public static void Copy(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var output = File.Create(System.IO.Path.Combine(destination, System.IO.Path.GetFileName(file)));
            input.CopyTo(output);
        }

        foreach (var directory in Directory.EnumerateDirectories(source))
        {
            Copy(directory, System.IO.Path.Combine(destination, System.IO.Path.GetFileName(directory)));
        }
    }
}
