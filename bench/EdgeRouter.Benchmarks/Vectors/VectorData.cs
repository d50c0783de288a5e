namespace EdgeRouter.Benchmarks.Vectors;

/// <summary>Clustered unit vectors like the peers' "clustered" set (Gaussian noise around random unit centres), seeded.</summary>
internal static class VectorData
{
    public static (float[][] Vectors, float[][] Queries) Clustered(int count, int queries, int dimension, int clusters, float sigma, int seed)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, clusters).Select(_ => Normalized(Gaussian(random, dimension, 1))).ToArray();

        float[] Draw()
        {
            var centre = centres[random.Next(clusters)];
            var v = Gaussian(random, dimension, sigma);
            for (var i = 0; i < dimension; i++)
            {
                v[i] += centre[i];
            }

            return Normalized(v);
        }

        return ([.. Enumerable.Range(0, count).Select(_ => Draw())], [.. Enumerable.Range(0, queries).Select(_ => Draw())]);
    }

    private static float[] Gaussian(Random random, int dimension, float sigma)
    {
        var v = new float[dimension];
        for (var i = 0; i < dimension; i++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            v[i] = sigma * (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        return v;
    }

    private static float[] Normalized(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / norm)];
    }
}
