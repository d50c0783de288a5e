namespace EdgeRouter.Tests.Models;

/// <summary>The definitions behind TestData/models/make_test_models.py, to compute expected outputs.</summary>
internal static class TinyModels
{
    public const int Hidden = 4;

    public static readonly string[] Vocabulary = File.ReadAllLines(Path.Combine(TestFiles.Models, "tiny-encoder", "vocab.txt"));

    public static int Id(string token) => Array.IndexOf(Vocabulary, token);

    /// <summary>Row <paramref name="id"/> of the embedding table: E[i, j] = i + j / 10.</summary>
    public static float[] Row(int id) => [.. Enumerable.Range(0, Hidden).Select(j => id + (j / 10f))];

    /// <summary>The mean of the rows of <paramref name="ids"/>, optionally scaled to unit length.</summary>
    public static float[] Mean(IReadOnlyList<int> ids, bool normalize)
    {
        var sum = new double[Hidden];
        foreach (var id in ids)
        {
            var row = Row(id);
            for (var j = 0; j < Hidden; j++)
            {
                sum[j] += row[j];
            }
        }

        var mean = sum.Select(s => s / ids.Count).ToArray();
        var norm = normalize ? Math.Sqrt(mean.Sum(v => v * v)) : 1;
        return [.. mean.Select(v => (float)(v / norm))];
    }
}
