using System.Runtime.CompilerServices;

namespace EdgeRouter.Vectors.Hnsw;

/// <summary>A node id with its distance (1 − cosine similarity) to the current query.</summary>
internal struct Candidate(float distance, uint id)
{
    public float Distance = distance;
    public uint Id = id;
}

/// <summary>Binary min-heap of candidates: the closest on top (the search frontier). Grows by doubling; reused.</summary>
internal sealed class NearestFirstHeap(int capacity)
{
    private Candidate[] _items = new Candidate[Math.Max(capacity, 16)];
    private int _count;

    public int Count => _count;

    public ref readonly Candidate Top => ref _items[0];

    public void Clear() => _count = 0;

    public void Push(float distance, uint id)
    {
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        var items = _items;
        var i = _count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (items[parent].Distance <= distance)
            {
                break;
            }

            items[i] = items[parent];
            i = parent;
        }

        items[i] = new Candidate(distance, id);
    }

    public Candidate Pop()
    {
        var items = _items;
        var top = items[0];
        var last = items[--_count];
        var n = _count;
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= n)
            {
                break;
            }

            if (child + 1 < n && items[child + 1].Distance < items[child].Distance)
            {
                child++;
            }

            if (last.Distance <= items[child].Distance)
            {
                break;
            }

            items[i] = items[child];
            i = child;
        }

        if (n > 0)
        {
            items[i] = last;
        }

        return top;
    }
}

/// <summary>Binary max-heap of candidates bounded by the caller: the farthest on top (the current result set).</summary>
internal sealed class FarthestFirstHeap(int capacity)
{
    private Candidate[] _items = new Candidate[Math.Max(capacity, 16)];
    private int _count;

    public int Count => _count;

    public ref readonly Candidate Top => ref _items[0];

    /// <summary>The entries in heap order (for draining into a sorted buffer).</summary>
    public ReadOnlySpan<Candidate> Items => _items.AsSpan(0, _count);

    public void Clear() => _count = 0;

    public void Push(float distance, uint id)
    {
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        var items = _items;
        var i = _count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (items[parent].Distance >= distance)
            {
                break;
            }

            items[i] = items[parent];
            i = parent;
        }

        items[i] = new Candidate(distance, id);
    }

    /// <summary>Replaces the farthest entry (the heap must not be empty) and restores the heap order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ReplaceTop(float distance, uint id) => SiftDown(new Candidate(distance, id), _count);

    public Candidate Pop()
    {
        var top = _items[0];
        var n = --_count;
        if (n > 0)
        {
            SiftDown(_items[n], n);
        }

        return top;
    }

    /// <summary>Moves the entries into <paramref name="destination"/> sorted nearest first and empties the heap.</summary>
    public int DrainSorted(Span<Candidate> destination)
    {
        var n = _count;
        for (var i = n - 1; i >= 0; i--)
        {
            destination[i] = Pop();
        }

        return n;
    }

    private void SiftDown(Candidate item, int n)
    {
        var items = _items;
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= n)
            {
                break;
            }

            if (child + 1 < n && items[child + 1].Distance > items[child].Distance)
            {
                child++;
            }

            if (item.Distance >= items[child].Distance)
            {
                break;
            }

            items[i] = items[child];
            i = child;
        }

        items[i] = item;
    }
}
