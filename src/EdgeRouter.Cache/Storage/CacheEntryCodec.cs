using System.Buffers.Binary;
using System.Text;

namespace EdgeRouter.Cache.Storage;

/// <summary>
/// The binary form of a <see cref="CacheEntry"/> in the durable store: a version byte, then fixed fields, then
/// length-prefixed strings, floats and byte blocks, all little-endian. Decoding checks every length against the
/// buffer, so a damaged record is reported, never misread.
/// </summary>
public static class CacheEntryCodec
{
    private const byte Version = 1;

    /// <summary>Bytes <see cref="Write"/> needs for <paramref name="entry"/>.</summary>
    public static int Size(CacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var size = 1 + 16 + 16 + 8 + 8 + 4 + 8 + 8 + 16 + 1;
        size += StringSize(entry.Tenant) + StringSize(entry.Route) + StringSize(entry.Prompt) + StringSize(entry.Model);
        size += 4 + (entry.Embedding.Length * 4);
        size += 4 + entry.Json.Length;
        size += 4;
        foreach (var ev in entry.Events ?? [])
        {
            size += 4 + ev.Length;
        }

        size += 4;
        foreach (var tag in entry.Tags)
        {
            size += StringSize(tag);
        }

        return size;
    }

    /// <summary>Writes <paramref name="entry"/> into <paramref name="destination"/> (at least <see cref="Size"/> bytes); returns the bytes written.</summary>
    public static int Write(CacheEntry entry, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var writer = new Writer(destination);
        writer.Byte(Version);
        writer.Guid(entry.Id);
        writer.UInt128(entry.ExactHash);
        writer.UInt64(entry.ContextHash);
        writer.Int64(entry.CreatedUnixMs);
        writer.Int32(entry.TtlSeconds);
        writer.Int64(entry.PromptTokens);
        writer.Int64(entry.CompletionTokens);
        writer.Decimal(entry.CostUsd);
        writer.Byte(entry.Events is null ? (byte)0 : (byte)1);
        writer.String(entry.Tenant);
        writer.String(entry.Route);
        writer.String(entry.Prompt);
        writer.String(entry.Model);
        writer.Floats(entry.Embedding);
        writer.Bytes(entry.Json);
        var events = entry.Events ?? [];
        writer.Int32(events.Length);
        foreach (var ev in events)
        {
            writer.Bytes(ev);
        }

        writer.Int32(entry.Tags.Count);
        foreach (var tag in entry.Tags)
        {
            writer.String(tag);
        }

        return writer.Position;
    }

    /// <summary>Reads an entry; throws <see cref="InvalidDataException"/> for a record that is damaged or of another version.</summary>
    public static CacheEntry Read(ReadOnlySpan<byte> source)
    {
        var reader = new Reader(source);
        var version = reader.Byte();
        if (version != Version)
        {
            throw new InvalidDataException($"Cache record version {version} is not supported (expected {Version}).");
        }

        var id = reader.Guid();
        var exact = reader.UInt128();
        var context = reader.UInt64();
        var created = reader.Int64();
        var ttl = reader.Int32();
        var prompt = reader.Int64();
        var completion = reader.Int64();
        var cost = reader.Decimal();
        var streamed = reader.Byte() == 1;
        var entry = new CacheEntry
        {
            Id = id,
            ExactHash = exact,
            ContextHash = context,
            CreatedUnixMs = created,
            TtlSeconds = ttl,
            PromptTokens = prompt,
            CompletionTokens = completion,
            CostUsd = cost,
            Tenant = reader.String(),
            Route = reader.String(),
            Prompt = reader.String(),
            Model = reader.String(),
            Embedding = reader.Floats(),
            Json = reader.Bytes(),
            Events = ReadEvents(ref reader, streamed),
            Tags = ReadTags(ref reader),
        };
        if (!reader.AtEnd)
        {
            throw new InvalidDataException("Cache record has trailing bytes.");
        }

        return entry;
    }

    private static byte[][]? ReadEvents(ref Reader reader, bool streamed)
    {
        var count = reader.Count();
        var events = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            events[i] = reader.Bytes();
        }

        return streamed ? events : null;
    }

    private static string[] ReadTags(ref Reader reader)
    {
        var count = reader.Count();
        var tags = new string[count];
        for (var i = 0; i < count; i++)
        {
            tags[i] = reader.String();
        }

        return tags;
    }

    private static int StringSize(string value) => 4 + Encoding.UTF8.GetByteCount(value);

    private ref struct Writer(Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;

        public int Position { get; private set; }

        public void Byte(byte value) => _destination[Position++] = value;

        public void Int32(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_destination[Position..], value);
            Position += 4;
        }

        public void Int64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_destination[Position..], value);
            Position += 8;
        }

        public void UInt64(ulong value)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(_destination[Position..], value);
            Position += 8;
        }

        public void UInt128(UInt128 value)
        {
            UInt64((ulong)value);
            UInt64((ulong)(value >> 64));
        }

        public void Guid(Guid value)
        {
            value.TryWriteBytes(_destination[Position..]);
            Position += 16;
        }

        public void Decimal(decimal value)
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(value, bits);
            foreach (var part in bits)
            {
                Int32(part);
            }
        }

        public void String(string value)
        {
            var length = Encoding.UTF8.GetBytes(value, _destination[(Position + 4)..]);
            Int32(length);
            Position += length;
        }

        public void Floats(float[] values)
        {
            Int32(values.Length);
            foreach (var value in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(_destination[Position..], value);
                Position += 4;
            }
        }

        public void Bytes(byte[] value)
        {
            Int32(value.Length);
            value.CopyTo(_destination[Position..]);
            Position += value.Length;
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> source)
    {
        private readonly ReadOnlySpan<byte> _source = source;
        private int _position;

        public readonly bool AtEnd => _position == _source.Length;

        public byte Byte() => Take(1)[0];

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

        public UInt128 UInt128()
        {
            var low = UInt64();
            var high = UInt64();
            return new UInt128(high, low);
        }

        public Guid Guid() => new(Take(16));

        public decimal Decimal()
        {
            Span<int> bits = [Int32(), Int32(), Int32(), Int32()];
            try
            {
                return new decimal(bits);
            }
            catch (ArgumentException ex)
            {
                throw new InvalidDataException("Cache record has an invalid decimal.", ex);
            }
        }

        public int Count()
        {
            var count = Int32();
            if (count < 0 || count > _source.Length - _position)
            {
                throw new InvalidDataException($"Cache record length {count} runs past the end of the record.");
            }

            return count;
        }

        public string String() => Encoding.UTF8.GetString(Take(Count()));

        public float[] Floats()
        {
            var count = Int32();
            if (count < 0 || (long)count * 4 > _source.Length - _position)
            {
                throw new InvalidDataException($"Cache record vector length {count} runs past the end of the record.");
            }

            var values = new float[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(Take(4));
            }

            return values;
        }

        public byte[] Bytes() => Take(Count()).ToArray();

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count > _source.Length - _position)
            {
                throw new InvalidDataException("Cache record is truncated.");
            }

            var slice = _source.Slice(_position, count);
            _position += count;
            return slice;
        }
    }
}
