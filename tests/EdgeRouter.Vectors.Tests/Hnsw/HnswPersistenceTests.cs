using EdgeRouter.Vectors;
using EdgeRouter.Vectors.Hnsw;

namespace EdgeRouter.Tests.Hnsw;

public class HnswPersistenceTests
{
    private static byte[] Snapshot(bool quantize = false)
    {
        var random = new Random(1);
        using var index = new HnswIndex(new HnswOptions { Dimension = 16, M = 8, Seed = 3, Quantize = quantize });
        for (ulong label = 0; label < 500; label++)
        {
            index.Add(label, [.. Enumerable.Range(0, 16).Select(_ => (float)random.NextDouble() - 0.5f)]);
        }

        index.Remove(17);
        using var stream = new MemoryStream();
        index.Save(stream);
        return stream.ToArray();
    }

    private static HnswIndex Load(byte[] bytes) => HnswIndex.Load(new MemoryStream(bytes));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ASavedIndexLoadsWithItsOptionsAndLabels(bool quantize)
    {
        using var index = Load(Snapshot(quantize));

        Assert.Equal(499, index.Count);
        Assert.Equal(quantize, index.Options.Quantize);
        Assert.Equal(16, index.Dimension);
        Assert.Equal(8, index.Options.M);
        Assert.False(index.Contains(17));
        Assert.True(index.Contains(18));
    }

    [Fact]
    public void AnEmptyIndexRoundTrips()
    {
        using var stream = new MemoryStream();
        using (var empty = new HnswIndex(new HnswOptions { Dimension = 4 }))
        {
            empty.Save(stream);
        }

        stream.Position = 0;
        using var loaded = HnswIndex.Load(stream);
        Assert.Equal(0, loaded.Count);
        Assert.Equal(0, loaded.Search([1, 0, 0, 0], 1, new SearchResult[1]));
    }

    [Fact]
    public void LoadRejectsATruncatedStream()
    {
        var bytes = Snapshot();
        foreach (var length in new[] { 0, 10, 127, 128, 200, bytes.Length / 2, bytes.Length - 1 })
        {
            var error = Assert.Throws<InvalidDataException>(() => Load(bytes[..length]));
            Assert.Contains("truncated", error.Message);
        }
    }

    [Fact]
    public void LoadRejectsACorruptedPayload()
    {
        var bytes = Snapshot();
        foreach (var offset in new[] { 128, 1000, bytes.Length / 2, bytes.Length - 1 })
        {
            var corrupted = (byte[])bytes.Clone();
            corrupted[offset] ^= 0x10;
            var error = Assert.Throws<InvalidDataException>(() => Load(corrupted));
            Assert.Contains("checksum", error.Message);
        }
    }

    [Fact]
    public void LoadRejectsACorruptedHeader()
    {
        var bytes = Snapshot();
        foreach (var offset in new[] { 16, 48, 60, 72, 100 })
        {
            var corrupted = (byte[])bytes.Clone();
            corrupted[offset] ^= 0x01;
            var error = Assert.Throws<InvalidDataException>(() => Load(corrupted));
            Assert.Contains("header", error.Message);
        }
    }

    [Fact]
    public void LoadRejectsSomethingThatIsNotASnapshot()
    {
        var error = Assert.Throws<InvalidDataException>(() => Load(new byte[4096]));
        Assert.Contains("not an HNSW snapshot", error.Message);
    }

    [Fact]
    public void LoadRejectsAnotherVersion()
    {
        var bytes = Snapshot();
        bytes[8] = 2;

        var error = Assert.Throws<InvalidDataException>(() => Load(bytes));
        Assert.Contains("version 2", error.Message);
    }

    [Fact]
    public void LoadRejectsAGraphWhoseLinksPointOutsideTheIndexEvenWithAValidChecksum()
    {
        // Forge a snapshot whose checksums match but whose level-0 link points past the last slot: the structural
        // check catches what a checksum cannot (a bug, or a file written by something else).
        var bytes = Snapshot();
        var stride = BitConverter.ToInt32(bytes, 40);
        var vectorBytes = BitConverter.ToInt32(bytes, 44);
        var firstLink = 128 + vectorBytes + 32;
        BitConverter.GetBytes(uint.MaxValue - 1).CopyTo(bytes, firstLink);
        Rechecksum(bytes);

        var error = Assert.Throws<InvalidDataException>(() => Load(bytes));
        Assert.Contains("links to slot", error.Message);
        Assert.True(stride > 0);
    }

    /// <summary>Recomputes both checksums the way the index does: the payload sections chained, then the header.</summary>
    private static void Rechecksum(byte[] bytes)
    {
        var slab = (long)BitConverter.ToInt32(bytes, 48) * BitConverter.ToInt32(bytes, 40);
        var upper = BitConverter.ToInt32(bytes, 80) * 4L;
        var free = BitConverter.ToInt32(bytes, 84) * 4L;
        var payload = bytes.AsSpan(128);
        var h = Checksum64.Compute(payload[..(int)slab]);
        h = Checksum64.Compute(payload.Slice((int)slab, (int)upper), h);
        h = Checksum64.Compute(payload.Slice((int)(slab + upper), (int)free), h);
        h = Checksum64.Compute(payload[(int)(slab + upper + free)..], h);
        BitConverter.GetBytes(h).CopyTo(bytes, 88);
        BitConverter.GetBytes(Checksum64.Compute(bytes.AsSpan(0, 120))).CopyTo(bytes, 120);
    }
}
