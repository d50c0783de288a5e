using EdgeRouter.Vectors.Kernels;

namespace EdgeRouter.Vectors;

/// <summary>
/// An exact index: every search compares the query with every stored vector. The oracle that approximate indexes are
/// measured against (recall), and a fine index in its own right below a few thousand vectors.
/// </summary>
/// <remarks>
/// Vectors are normalised to unit length when added, so similarity is the inner product (cosine). They are kept
/// densely in one array; removing a label moves the last vector into its place. Thread-safety: searches share a
/// reader lock, writes take it exclusively. A search allocates nothing.
/// </remarks>
public sealed class BruteForceIndex : IVectorIndex
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<ulong, int> _rows = [];
    private readonly int _dimension;
    private float[] _vectors;
    private ulong[] _labels;
    private int _count;

    /// <summary>Creates an empty index.</summary>
    /// <param name="dimension">The number of components of every vector; at least 1.</param>
    /// <param name="initialCapacity">Vectors to allocate room for up front.</param>
    public BruteForceIndex(int dimension, int initialCapacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _dimension = dimension;
        _vectors = new float[Math.Max(initialCapacity, 1) * dimension];
        _labels = new ulong[Math.Max(initialCapacity, 1)];
    }

    /// <inheritdoc/>
    public int Dimension => _dimension;

    /// <inheritdoc/>
    public int Count => Volatile.Read(ref _count);

    /// <inheritdoc/>
    public void Add(ulong label, ReadOnlySpan<float> vector)
    {
        if (vector.Length != _dimension)
        {
            ThrowHelper.WrongDimension(nameof(vector), _dimension, vector.Length);
        }

        var norm = MathF.Sqrt(VectorKernels.Dot(vector, vector));
        if (!(norm > 0) || !float.IsFinite(norm))
        {
            ThrowHelper.NotFinite(nameof(vector));
        }

        _lock.EnterWriteLock();
        try
        {
            if (!_rows.TryGetValue(label, out var row))
            {
                row = _count;
                if (row == _labels.Length)
                {
                    Array.Resize(ref _labels, row * 2);
                    Array.Resize(ref _vectors, row * 2 * _dimension);
                }
            }

            System.Numerics.Tensors.TensorPrimitives.Multiply(vector, 1 / norm, _vectors.AsSpan(row * _dimension, _dimension));
            if (row == _count)
            {
                _rows.Add(label, row);
                _labels[row] = label;
                _count++;
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <inheritdoc/>
    public bool Remove(ulong label)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_rows.Remove(label, out var row))
            {
                return false;
            }

            var last = --_count;
            if (row != last)
            {
                _vectors.AsSpan(last * _dimension, _dimension).CopyTo(_vectors.AsSpan(row * _dimension, _dimension));
                _labels[row] = _labels[last];
                _rows[_labels[row]] = row;
            }

            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <inheritdoc/>
    public bool Contains(ulong label)
    {
        _lock.EnterReadLock();
        try
        {
            return _rows.ContainsKey(label);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <inheritdoc/>
    public int Search(ReadOnlySpan<float> query, int k, Span<SearchResult> results)
    {
        if (query.Length != _dimension)
        {
            ThrowHelper.WrongDimension(nameof(query), _dimension, query.Length);
        }

        if (k < 1)
        {
            ThrowHelper.KOutOfRange(k);
        }

        if (results.Length < k)
        {
            ThrowHelper.ResultsTooShort(k, results.Length);
        }

        // The query's norm scales every similarity alike: rank by the raw dot product, divide once at the end.
        var norm = MathF.Sqrt(VectorKernels.Dot(query, query));
        if (!(norm > 0) || !float.IsFinite(norm))
        {
            ThrowHelper.NotFinite(nameof(query));
        }

        _lock.EnterReadLock();
        try
        {
            var vectors = _vectors.AsSpan();
            var written = 0;
            for (var row = 0; row < _count; row++)
            {
                var similarity = VectorKernels.Dot(query, vectors.Slice(row * _dimension, _dimension));
                if (written == k)
                {
                    if (similarity <= results[k - 1].Similarity)
                    {
                        continue;
                    }

                    written--;
                }

                var i = written++;
                while (i > 0 && results[i - 1].Similarity < similarity)
                {
                    results[i] = results[i - 1];
                    i--;
                }

                results[i] = new SearchResult(_labels[row], similarity);
            }

            for (var i = 0; i < written; i++)
            {
                results[i] = results[i] with { Similarity = results[i].Similarity / norm };
            }

            return written;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Releases the lock's resources. The index holds no native memory.</summary>
    public void Dispose() => _lock.Dispose();
}
