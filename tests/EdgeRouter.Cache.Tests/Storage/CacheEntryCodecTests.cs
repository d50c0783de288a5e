using EdgeRouter.Cache.Storage;

namespace EdgeRouter.Cache.Tests.Storage;

public class CacheEntryCodecTests
{
    private static CacheEntry Full() => new()
    {
        Id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
        Tenant = "äcme-corp",
        Route = "support/auto",
        ExactHash = new UInt128(0xDEADBEEF_01234567, 0x89ABCDEF_FEDCBA98),
        ContextHash = 0xFFFF_0000_1234_5678,
        Prompt = "Wie setze ich mein Passwort zurück? 🔑",
        Embedding = [0.5f, -0.25f, float.Epsilon, -0f, 1e-30f, 0.125f, float.MaxValue, -1f],
        Json = """{"id":"chatcmpl-1","choices":[{"message":{"content":"Klicken Sie auf ..."}}]}"""u8.ToArray(),
        Events = ["""{"choices":[{"delta":{"content":"Hel"}}]}"""u8.ToArray(), [], """{"choices":[{"delta":{"content":"lo"}}]}"""u8.ToArray()],
        Model = "openai/gpt-4o-mini",
        PromptTokens = 1_234_567_890_123,
        CompletionTokens = 42,
        CostUsd = 0.000123456789m,
        CreatedUnixMs = 1_735_689_600_123,
        TtlSeconds = 86_400,
        Tags = ["faq", "de", ""],
    };

    private static byte[] Encode(CacheEntry entry)
    {
        var buffer = new byte[CacheEntryCodec.Size(entry)];
        var written = CacheEntryCodec.Write(entry, buffer);
        Assert.Equal(buffer.Length, written);
        return buffer;
    }

    private static void AssertSame(CacheEntry expected, CacheEntry actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Tenant, actual.Tenant);
        Assert.Equal(expected.Route, actual.Route);
        Assert.Equal(expected.ExactHash, actual.ExactHash);
        Assert.Equal(expected.ContextHash, actual.ContextHash);
        Assert.Equal(expected.Prompt, actual.Prompt);
        Assert.Equal(expected.Embedding.Select(BitConverter.SingleToInt32Bits), actual.Embedding.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expected.Json, actual.Json);
        if (expected.Events is null)
        {
            Assert.Null(actual.Events);
        }
        else
        {
            Assert.NotNull(actual.Events);
            Assert.Equal(expected.Events.Length, actual.Events.Length);
            for (var i = 0; i < expected.Events.Length; i++)
            {
                Assert.Equal(expected.Events[i], actual.Events[i]);
            }
        }

        Assert.Equal(expected.Model, actual.Model);
        Assert.Equal(expected.PromptTokens, actual.PromptTokens);
        Assert.Equal(expected.CompletionTokens, actual.CompletionTokens);
        Assert.Equal(expected.CostUsd, actual.CostUsd);
        Assert.Equal(decimal.GetBits(expected.CostUsd), decimal.GetBits(actual.CostUsd));
        Assert.Equal(expected.CreatedUnixMs, actual.CreatedUnixMs);
        Assert.Equal(expected.TtlSeconds, actual.TtlSeconds);
        Assert.Equal(expected.Tags, actual.Tags);
    }

    [Fact]
    public void EveryFieldSurvivesARoundTrip()
    {
        var entry = Full();

        var decoded = CacheEntryCodec.Read(Encode(entry));

        AssertSame(entry, decoded);
    }

    [Fact]
    public void AWholeAnswerWithoutEventsRoundTripsWithNullEvents()
    {
        var entry = TestEntries.Entry(embedding: TestEntries.Axis(3), tags: ["x"]);

        var decoded = CacheEntryCodec.Read(Encode(entry));

        AssertSame(entry, decoded);
        Assert.Null(decoded.Events);
    }

    [Fact]
    public void AnEmptyStreamIsNotConfusedWithNoStream()
    {
        var entry = new CacheEntry
        {
            Id = Guid.NewGuid(),
            Tenant = "",
            Route = "",
            ExactHash = UInt128.MaxValue,
            ContextHash = 0,
            Prompt = "",
            Embedding = [],
            Events = [],
            Model = "",
            CreatedUnixMs = -1,
            TtlSeconds = 0,
        };

        var decoded = CacheEntryCodec.Read(Encode(entry));

        AssertSame(entry, decoded);
        Assert.NotNull(decoded.Events);
        Assert.Empty(decoded.Events);
    }

    [Fact]
    public void WriteReportsTheBytesWrittenIntoALargerBuffer()
    {
        var entry = Full();
        var buffer = new byte[CacheEntryCodec.Size(entry) + 100];

        var written = CacheEntryCodec.Write(entry, buffer);

        Assert.Equal(CacheEntryCodec.Size(entry), written);
        AssertSame(entry, CacheEntryCodec.Read(buffer.AsSpan(0, written)));
    }

    [Fact]
    public void EveryTruncationIsRejected()
    {
        var bytes = Encode(Full());

        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes.AsSpan(0, length).ToArray();
            Assert.Throws<InvalidDataException>(() => CacheEntryCodec.Read(prefix));
        }
    }

    [Fact]
    public void TrailingBytesAreRejected()
    {
        var bytes = Encode(Full());
        var longer = new byte[bytes.Length + 1];
        bytes.CopyTo(longer, 0);

        var error = Assert.Throws<InvalidDataException>(() => CacheEntryCodec.Read(longer));
        Assert.Contains("trailing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherVersionIsRejected()
    {
        var bytes = Encode(Full());
        bytes[0] = 2;

        var error = Assert.Throws<InvalidDataException>(() => CacheEntryCodec.Read(bytes));
        Assert.Contains("version 2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(-1)]
    [InlineData(1_000_000)]
    public void ALengthRunningPastTheRecordIsRejected(int length)
    {
        var entry = TestEntries.Entry(tenant: "acme");
        var bytes = Encode(entry);
        // The tenant's length prefix follows the 86 bytes of fixed fields.
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(86), length);

        Assert.Throws<InvalidDataException>(() => CacheEntryCodec.Read(bytes));
    }

    [Fact]
    public void AnInvalidDecimalIsRejected()
    {
        var bytes = Encode(Full());
        // The flags word of the cost (offset 1 + 16 + 16 + 8 + 8 + 4 + 8 + 8 + 12) may only use the sign and scale bits.
        bytes[69 + 12] = 0xFF;

        Assert.Throws<InvalidDataException>(() => CacheEntryCodec.Read(bytes));
    }

    [Fact]
    public void RandomGarbageIsRejectedWithoutAnyOtherException()
    {
        var random = new Random(1234);
        var decoded = 0;
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = new byte[random.Next(0, 400)];
            random.NextBytes(bytes);
            if (bytes.Length > 0 && i % 2 == 0)
            {
                bytes[0] = 1; // get past the version check half of the time
            }

            try
            {
                CacheEntryCodec.Read(bytes);
                decoded++;
            }
            catch (InvalidDataException)
            {
            }
        }

        Assert.Equal(0, decoded);
    }

    [Fact]
    public void FlippedBytesInAValidRecordNeverThrowAnythingButInvalidData()
    {
        var original = Encode(Full());
        var random = new Random(99);
        var rejected = 0;
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            try
            {
                CacheEntryCodec.Read(bytes);
            }
            catch (InvalidDataException)
            {
                rejected++;
            }
        }

        // Flips inside strings, floats or hashes decode to other values; flips in lengths and the version must not.
        Assert.InRange(rejected, 1, 4_999);
    }
}
