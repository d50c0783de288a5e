using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace EdgeRouter.Vectors.Hnsw;

// Snapshots: a 128-byte versioned header, then raw copies of the slabs. Layout (little-endian):
//   0 magic "ERHNSW\r\n"      8 version (uint)        12 header size (uint)    16 dimension     20 M
//  24 efConstruction          28 ef                   32 flags (bit 0: quantised)               36 rerank factor
//  40 record bytes            44 vector bytes         48 slots used            52 live labels   56 entry id (−1: empty)
//  60 top level               64 seed (ulong)         72 level generator state (ulong)          80 upper-arena uints used
//  84 free slots              88 payload checksum     96 payload bytes (long)  104..119 zero    120 header checksum
// Payload: level-0 slab (slots × record bytes), upper arena (uints), free-slot stack (uints, top first), and when
// quantised the float copies (slots × dimension floats). The slabs are copied as they are in memory, which is the
// same on every little-endian platform .NET runs on (x64, ARM64); big-endian machines are refused.
public sealed unsafe partial class HnswIndex
{
    private const int SnapshotHeaderBytes = 128;
    private const uint SnapshotVersion = 1;
    private const int ChunkBytes = 1 << 24;
    private static ReadOnlySpan<byte> SnapshotMagic => "ERHNSW\r\n"u8;

    /// <summary>
    /// Writes the index to <paramref name="stream"/>: a versioned header and raw copies of its memory, with checksums.
    /// Blocks writers meanwhile; searches continue. The snapshot holds the options, every slot (tombstones included)
    /// and the level generator state, so a loaded index behaves exactly like this one.
    /// </summary>
    /// <param name="stream">A writable stream; it is not closed.</param>
    /// <exception cref="ObjectDisposedException">The index was disposed.</exception>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        lock (_writeLock)
        {
            ThrowIfDisposed();
            var freeSlots = _free.ToArray();
            var slabBytes = (long)_nodeCount * _stride;
            var upperBytes = (long)_upperUsed * sizeof(uint);
            var floatBytes = _quantize ? (long)_nodeCount * _dimension * sizeof(float) : 0;
            var freeBytes = MemoryMarshal.AsBytes(freeSlots.AsSpan());
            var checksum = Checksum64.Compute(_slab, (nuint)slabBytes);
            checksum = Checksum64.Compute((byte*)_upper, (nuint)upperBytes, checksum);
            checksum = Checksum64.Compute(freeBytes, checksum);
            checksum = Checksum64.Compute((byte*)_floats, (nuint)floatBytes, checksum);

            Span<byte> header = stackalloc byte[SnapshotHeaderBytes];
            header.Clear();
            SnapshotMagic.CopyTo(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], SnapshotVersion);
            BinaryPrimitives.WriteUInt32LittleEndian(header[12..], SnapshotHeaderBytes);
            BinaryPrimitives.WriteInt32LittleEndian(header[16..], _dimension);
            BinaryPrimitives.WriteInt32LittleEndian(header[20..], _m);
            BinaryPrimitives.WriteInt32LittleEndian(header[24..], _options.EfConstruction);
            BinaryPrimitives.WriteInt32LittleEndian(header[28..], _options.Ef);
            BinaryPrimitives.WriteInt32LittleEndian(header[32..], _quantize ? 1 : 0);
            BinaryPrimitives.WriteInt32LittleEndian(header[36..], _options.RerankFactor);
            BinaryPrimitives.WriteInt32LittleEndian(header[40..], _stride);
            BinaryPrimitives.WriteInt32LittleEndian(header[44..], _vectorBytes);
            BinaryPrimitives.WriteInt32LittleEndian(header[48..], _nodeCount);
            BinaryPrimitives.WriteInt32LittleEndian(header[52..], _liveCount);
            var (entryId, topLevel) = _entry < 0 ? (uint.MaxValue, -1) : UnpackEntry(_entry);
            BinaryPrimitives.WriteUInt32LittleEndian(header[56..], entryId);
            BinaryPrimitives.WriteInt32LittleEndian(header[60..], topLevel);
            BinaryPrimitives.WriteUInt64LittleEndian(header[64..], _options.Seed);
            BinaryPrimitives.WriteUInt64LittleEndian(header[72..], _levels.State);
            BinaryPrimitives.WriteInt32LittleEndian(header[80..], _upperUsed);
            BinaryPrimitives.WriteInt32LittleEndian(header[84..], freeSlots.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(header[88..], checksum);
            BinaryPrimitives.WriteInt64LittleEndian(header[96..], slabBytes + upperBytes + freeBytes.Length + floatBytes);
            BinaryPrimitives.WriteUInt64LittleEndian(header[120..], Checksum64.Compute(header[..120]));
            stream.Write(header);

            WriteNative(stream, _slab, slabBytes);
            WriteNative(stream, (byte*)_upper, upperBytes);
            stream.Write(freeBytes);
            WriteNative(stream, (byte*)_floats, floatBytes);
        }
    }

    /// <summary>
    /// Reads an index written by <see cref="Save"/>. The header, the checksums and the graph's structure (every link,
    /// level and offset in range, labels unique) are verified before the index is returned.
    /// </summary>
    /// <param name="stream">A readable stream positioned at the snapshot; it is read up to the snapshot's end and not closed.</param>
    /// <returns>The index, ready for searches and writes.</returns>
    /// <exception cref="InvalidDataException">The stream is not a snapshot, is of an unsupported version, is truncated,
    /// fails a checksum, or describes an inconsistent graph; the message says which.</exception>
    public static HnswIndex Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("HNSW snapshots are read on little-endian machines only.");
        }

        Span<byte> header = stackalloc byte[SnapshotHeaderBytes];
        ReadExactly(stream, header, "the header");
        if (!header[..8].SequenceEqual(SnapshotMagic))
        {
            throw Corrupt("The stream is not an HNSW snapshot (bad magic bytes).");
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version != SnapshotVersion)
        {
            throw Corrupt($"HNSW snapshot version {version} is not supported (this build reads version {SnapshotVersion}).");
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(header[120..]) != Checksum64.Compute(header[..120]) ||
            BinaryPrimitives.ReadUInt32LittleEndian(header[12..]) != SnapshotHeaderBytes)
        {
            throw Corrupt("The HNSW snapshot header is corrupted (checksum mismatch).");
        }

        var options = new HnswOptions
        {
            Dimension = BinaryPrimitives.ReadInt32LittleEndian(header[16..]),
            M = BinaryPrimitives.ReadInt32LittleEndian(header[20..]),
            EfConstruction = BinaryPrimitives.ReadInt32LittleEndian(header[24..]),
            Ef = BinaryPrimitives.ReadInt32LittleEndian(header[28..]),
            Quantize = (BinaryPrimitives.ReadInt32LittleEndian(header[32..]) & 1) != 0,
            RerankFactor = BinaryPrimitives.ReadInt32LittleEndian(header[36..]),
            Seed = BinaryPrimitives.ReadUInt64LittleEndian(header[64..]),
        };
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw Corrupt("The HNSW snapshot holds invalid options: " + string.Join(" ", errors));
        }

        var (vectorBytes, stride) = Layout(options);
        var nodeCount = BinaryPrimitives.ReadInt32LittleEndian(header[48..]);
        var liveCount = BinaryPrimitives.ReadInt32LittleEndian(header[52..]);
        var entryId = BinaryPrimitives.ReadUInt32LittleEndian(header[56..]);
        var topLevel = BinaryPrimitives.ReadInt32LittleEndian(header[60..]);
        var upperUsed = BinaryPrimitives.ReadInt32LittleEndian(header[80..]);
        var freeCount = BinaryPrimitives.ReadInt32LittleEndian(header[84..]);
        var checksum = BinaryPrimitives.ReadUInt64LittleEndian(header[88..]);
        var slabBytes = (long)nodeCount * stride;
        var upperBytes = (long)upperUsed * sizeof(uint);
        var floatBytes = options.Quantize ? (long)nodeCount * options.Dimension * sizeof(float) : 0;
        if (BinaryPrimitives.ReadInt32LittleEndian(header[40..]) != stride ||
            BinaryPrimitives.ReadInt32LittleEndian(header[44..]) != vectorBytes ||
            nodeCount is < 0 or > MaxCapacity || liveCount < 0 || freeCount < 0 || upperUsed < 0 ||
            (long)liveCount + freeCount != nodeCount ||
            (nodeCount == 0 ? topLevel != -1 : entryId >= (uint)nodeCount || topLevel is < 0 or > LevelGenerator.MaxLevel) ||
            BinaryPrimitives.ReadInt64LittleEndian(header[96..]) != slabBytes + upperBytes + (4L * freeCount) + floatBytes)
        {
            throw Corrupt("The HNSW snapshot header is inconsistent (record layout or counts do not add up).");
        }

        var index = new HnswIndex(options, Math.Max(nodeCount, options.InitialCapacity), BinaryPrimitives.ReadUInt64LittleEndian(header[72..]));
        try
        {
            index.ReserveUpper(upperUsed);
            var freeSlots = new uint[freeCount];
            ReadNative(stream, index._slab, slabBytes, "the level-0 slab");
            ReadNative(stream, (byte*)index._upper, upperBytes, "the upper levels");
            ReadExactly(stream, MemoryMarshal.AsBytes(freeSlots.AsSpan()), "the free-slot list");
            ReadNative(stream, (byte*)index._floats, floatBytes, "the float vectors");

            var actual = Checksum64.Compute(index._slab, (nuint)slabBytes);
            actual = Checksum64.Compute((byte*)index._upper, (nuint)upperBytes, actual);
            actual = Checksum64.Compute(MemoryMarshal.AsBytes(freeSlots.AsSpan()), actual);
            actual = Checksum64.Compute((byte*)index._floats, (nuint)floatBytes, actual);
            if (actual != checksum)
            {
                throw Corrupt("The HNSW snapshot is corrupted (payload checksum mismatch).");
            }

            index.Restore(nodeCount, liveCount, upperUsed, entryId, topLevel, freeSlots);
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    private void ReserveUpper(int uints)
    {
        if (uints > _upperCapacity)
        {
            _upper = (uint*)NativeMemory.Realloc(_upper, (nuint)uints * sizeof(uint));
            _upperCapacity = uints;
        }
    }

    /// <summary>Checks the loaded slabs describe a valid graph and rebuilds the label map and free list.</summary>
    private void Restore(int nodeCount, int liveCount, int upperUsed, uint entryId, int topLevel, uint[] freeSlots)
    {
        for (uint id = 0; id < (uint)nodeCount; id++)
        {
            var level = LevelOf(id);
            if (level < 0 || level > topLevel)
            {
                throw Corrupt($"Slot {id} has level {level}, outside [0, {topLevel}].");
            }

            if (level > 0 && (UpperOffsetOf(id) < 0 || (long)UpperOffsetOf(id) + ((long)level * _upperBlock) > upperUsed))
            {
                throw Corrupt($"Slot {id} has its upper-level links outside the arena.");
            }

            for (var l = 0; l <= level; l++)
            {
                var countPtr = LinkCount(id, l);
                var count = *countPtr;
                if (count < 0 || count > (l == 0 ? _maxM0 : _m))
                {
                    throw Corrupt($"Slot {id} has {count} links at level {l}.");
                }

                var ids = LinkIds(id, l, countPtr);
                for (var j = 0; j < count; j++)
                {
                    if (ids[j] >= (uint)nodeCount || LevelOf(ids[j]) < l)
                    {
                        throw Corrupt($"Slot {id} links to slot {ids[j]} at level {l}, which does not exist there.");
                    }
                }
            }

            if (!float.IsFinite(ScaleOf(id)))
            {
                throw Corrupt($"Slot {id} has a non-finite scale.");
            }

            if ((StateOf(id) & Tombstone) == 0 && !_labels.TryAdd(LabelOf(id), id))
            {
                throw Corrupt($"Label {LabelOf(id)} is stored twice.");
            }
        }

        if (nodeCount > 0 && LevelOf(entryId) != topLevel)
        {
            throw Corrupt("The entry point is not on the top level.");
        }

        if (_labels.Count != liveCount)
        {
            throw Corrupt($"The header counts {liveCount} live labels, the slots hold {_labels.Count}.");
        }

        // The stack was saved top first; push bottom first to restore the same reuse order. Every tombstoned slot is
        // listed exactly once (the header checked that live + free = slots).
        var listed = new HashSet<uint>(freeSlots.Length);
        for (var i = freeSlots.Length - 1; i >= 0; i--)
        {
            var slot = freeSlots[i];
            if (slot >= (uint)nodeCount || (StateOf(slot) & Tombstone) == 0 || !listed.Add(slot))
            {
                throw Corrupt($"Free slot {slot} is not a tombstoned slot, or is listed twice.");
            }

            _free.Push(slot);
        }

        _nodeCount = nodeCount;
        _liveCount = liveCount;
        _tombstones = freeSlots.Length;
        _upperUsed = upperUsed;
        _entry = nodeCount == 0 ? -1 : PackEntry(entryId, topLevel);
    }

    private static void WriteNative(Stream stream, byte* data, long length)
    {
        for (long offset = 0; offset < length; offset += ChunkBytes)
        {
            stream.Write(new ReadOnlySpan<byte>(data + offset, (int)Math.Min(ChunkBytes, length - offset)));
        }
    }

    private static void ReadNative(Stream stream, byte* data, long length, string what)
    {
        for (long offset = 0; offset < length; offset += ChunkBytes)
        {
            var chunk = (int)Math.Min(ChunkBytes, length - offset);
            var read = stream.ReadAtLeast(new Span<byte>(data + offset, chunk), chunk, throwOnEndOfStream: false);
            if (read < chunk)
            {
                throw Truncated(what, length, offset + read);
            }
        }
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string what)
    {
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
        {
            throw Truncated(what, buffer.Length, read);
        }
    }

    private static InvalidDataException Truncated(string what, long expected, long actual) =>
        Corrupt($"The HNSW snapshot is truncated: {what} needs {expected} bytes, the stream ended after {actual}.");

    private static InvalidDataException Corrupt(string message) => new(message);
}
