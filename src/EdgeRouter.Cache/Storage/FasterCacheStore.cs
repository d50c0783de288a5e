using System.Buffers;
using FASTER.core;

namespace EdgeRouter.Cache.Storage;

/// <summary>
/// Cache entries in a FASTER key-value store (16-byte id → encoded entry, both <see cref="SpanByte"/>), under one
/// directory. Durability comes from FASTER hybrid-log checkpoints (fold-over): <see cref="CommitAsync"/> takes one when
/// something changed, so a crash loses at most the writes since the last commit and never corrupts the store (FASTER
/// recovers to the last completed checkpoint). A store that cannot be recovered is moved aside and replaced by an empty
/// one; <see cref="Recovery"/> says so. Writes go through one session under a lock: cache writes are rare next to
/// reads, which are served from memory by <see cref="SemanticCache"/>.
/// </summary>
public sealed class FasterCacheStore : ICacheStore
{
    private const long CompactionThresholdBytes = 64L * 1024 * 1024;

    private readonly FasterKV<SpanByte, SpanByte> _store;
    private readonly ClientSession<SpanByte, SpanByte, SpanByte, SpanByteAndMemory, Empty, IFunctions<SpanByte, SpanByte, SpanByte, SpanByteAndMemory, Empty>> _session;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _commitGate = new(1, 1);
    private readonly Dictionary<Guid, int> _sizes = [];
    private long _liveBytes;
    private bool _dirty;
    private bool _disposed;

    private FasterCacheStore(string directory, FasterKV<SpanByte, SpanByte> store, string recovery)
    {
        Directory = directory;
        _store = store;
        _session = store.NewSession(new SpanByteFunctions<Empty>());
        Recovery = recovery;
    }

    /// <summary>The store's directory.</summary>
    public string Directory { get; }

    /// <summary>How opening went: <c>new</c>, <c>recovered</c>, or <c>moved aside to …</c> with the reason.</summary>
    public string Recovery { get; }

    /// <inheritdoc />
    public string Description => $"FASTER at {Directory} ({Recovery})";

    /// <summary>Opens (recovering) the store in <paramref name="directory"/>; a store that cannot be recovered is moved aside.</summary>
    public static FasterCacheStore Open(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var existed = System.IO.Directory.EnumerateFileSystemEntries(directory).Any();
        var checkpoints = Path.Combine(directory, "checkpoints");
        var committed = System.IO.Directory.Exists(checkpoints)
            && System.IO.Directory.EnumerateFiles(checkpoints, "*", SearchOption.AllDirectories).Any();
        try
        {
            return new FasterCacheStore(directory, Create(directory, recover: committed), existed ? "recovered" : "new");
        }
#pragma warning disable CA1031 // any failure to recover means the same thing: keep the old files for inspection, start empty
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var aside = $"{directory.TrimEnd('/', '\\')}.unreadable-{DateTime.UtcNow:yyyyMMddHHmmss}";
            System.IO.Directory.Move(directory, aside);
            System.IO.Directory.CreateDirectory(directory);
            return new FasterCacheStore(directory, Create(directory, recover: false), $"previous store unreadable ({ex.Message}); moved aside to {aside}");
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<CacheEntry> ReadAll(out int damaged)
    {
        // A raw scan of the log in address order, the last record of each id winning and a tombstone removing it.
        // Not session.Iterate(): in FASTER 2.6.5 it still returns a record deleted after it became read-only (i.e.
        // after a commit), so every invalidated entry would come back at the next start.
        var latest = new Dictionary<Guid, (CacheEntry? Entry, int Size)>();
        var damagedKeys = 0;
        lock (_gate)
        {
            using var scan = _store.Log.Scan(_store.Log.BeginAddress, _store.Log.TailAddress);
            while (scan.GetNext(out var info))
            {
                var key = scan.GetKey().AsReadOnlySpan();
                if (key.Length != 16)
                {
                    damagedKeys++;
                    continue;
                }

                var id = new Guid(key);
                if (info.Tombstone)
                {
                    latest.Remove(id);
                    continue;
                }

                try
                {
                    latest[id] = (CacheEntryCodec.Read(scan.GetValue().AsReadOnlySpan()), scan.GetValue().TotalSize);
                }
                catch (InvalidDataException)
                {
                    latest[id] = (null, 0);
                }
            }

            var entries = new List<CacheEntry>(latest.Count);
            damaged = damagedKeys;
            foreach (var (entry, size) in latest.Values)
            {
                if (entry is null)
                {
                    damaged++;
                    continue;
                }

                entries.Add(entry);
                Track(entry.Id, size);
            }

            return entries;
        }
    }

    /// <inheritdoc />
    public unsafe void Upsert(CacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var size = CacheEntryCodec.Size(entry);
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var written = CacheEntryCodec.Write(entry, buffer);
            Span<byte> id = stackalloc byte[16];
            entry.Id.TryWriteBytes(id);
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                fixed (byte* keyPointer = id, valuePointer = buffer)
                {
                    var key = SpanByte.FromPointer(keyPointer, 16);
                    var value = SpanByte.FromPointer(valuePointer, written);
                    _session.Upsert(ref key, ref value);
                }

                Track(entry.Id, written);
                _dirty = true;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    public unsafe void Delete(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            fixed (byte* keyPointer = bytes)
            {
                var key = SpanByte.FromPointer(keyPointer, 16);
                _session.Delete(ref key);
            }

            Track(id, 0);
            _dirty = true;
        }
    }

    /// <inheritdoc />
    public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        // One checkpoint at a time: a commit still running when shutdown comes must finish (or be redone) before the
        // last checkpoint, or what it covered would be lost.
        await _commitGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CheckpointIfDirtyAsync().ConfigureAwait(false);
        }
        finally
        {
            _commitGate.Release();
        }
    }

    /// <summary>Takes a last checkpoint, then closes the store.</summary>
    public void Dispose()
    {
        _commitGate.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }

            CheckpointIfDirtyAsync().AsTask().GetAwaiter().GetResult();
            lock (_gate)
            {
                _disposed = true;
                _session.Dispose();
                _store.Dispose();
            }
        }
        finally
        {
            _commitGate.Release();
        }
    }

    /// <summary>Checkpoints what was written since the last checkpoint; on failure the writes stay marked for the next one.</summary>
    private async ValueTask CheckpointIfDirtyAsync()
    {
        lock (_gate)
        {
            if (!_dirty || _disposed)
            {
                return;
            }

            _dirty = false;
            _session.CompletePending(wait: true);
            CompactIfWasteful();
        }

        var succeeded = false;
        try
        {
            // Not cancellable: an abandoned checkpoint would leave the writes it covered undurable.
            (succeeded, _) = await _store.TakeHybridLogCheckpointAsync(CheckpointType.FoldOver).ConfigureAwait(false);
        }
        finally
        {
            if (!succeeded)
            {
                lock (_gate)
                {
                    _dirty = true;
                }
            }
        }
    }

    /// <summary>
    /// Creates the FASTER instance; with <paramref name="recover"/> (the directory holds checkpoints) it must recover
    /// from one of them. Not FASTER's <c>TryRecoverLatest</c>: that swallows every recovery failure and starts empty
    /// over the old files, so an unreadable store would never be moved aside.
    /// </summary>
    private static FasterKV<SpanByte, SpanByte> Create(string directory, bool recover)
    {
        var settings = new FasterKVSettings<SpanByte, SpanByte>(directory, deleteDirOnDispose: false)
        {
            RemoveOutdatedCheckpoints = true,
            MemorySize = 1L << 26,
            PageSize = 1L << 20,
            SegmentSize = 1L << 28,
            IndexSize = 1L << 20,
        };
        var store = new FasterKV<SpanByte, SpanByte>(settings);
        if (recover)
        {
            try
            {
                store.Recover();
            }
            catch
            {
                store.Dispose();
                settings.Dispose();
                throw;
            }
        }

        return store;
    }

    /// <summary>
    /// Overwrites and deletes leave dead records behind; once the log holds four times what is live (and at least
    /// 64 MiB), live records are copied to the tail and the head is cut at the next checkpoint.
    /// </summary>
    private void CompactIfWasteful()
    {
        var log = _store.Log;
        var size = log.TailAddress - log.BeginAddress;
        if (size < CompactionThresholdBytes || size < 4 * Math.Max(_liveBytes, 1))
        {
            return;
        }

        _session.Compact(log.SafeReadOnlyAddress, CompactionType.Scan);
    }

    /// <summary>Keeps the live byte count current: the size of each stored entry, 0 once deleted.</summary>
    private void Track(Guid id, int size)
    {
        _liveBytes += size - _sizes.GetValueOrDefault(id);
        if (size == 0)
        {
            _sizes.Remove(id);
        }
        else
        {
            _sizes[id] = size;
        }
    }
}
