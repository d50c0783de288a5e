namespace EdgeRouter.Inference.Tokenization;

/// <summary>
/// Per-thread working buffers of the encode path. They grow to the largest input seen on the thread and are then
/// reused, which keeps encoding allocation-free after warm-up. Each stage of the pipeline owns its own buffers.
/// </summary>
internal sealed class Scratch
{
    [ThreadStatic]
    private static Scratch? _current;

    /// <summary>The calling thread's buffers.</summary>
    public static Scratch Current => _current ??= new Scratch();

    /// <summary>Input with lone surrogates replaced by U+FFFD.</summary>
    public char[] Sanitized = new char[256];

    /// <summary>Output of the normalizer for the current piece.</summary>
    public char[] Normalized = new char[256];

    /// <summary>Code points of the current piece during normalization.</summary>
    public int[] CodePoints = new int[256];

    /// <summary>A piece with the ByteLevel prefix space prepended.</summary>
    public char[] Prefixed = new char[256];

    /// <summary>One pre-token in the byte-level alphabet (BPE with <c>ignore_merges</c>).</summary>
    public char[] Mapped = new char[256];

    /// <summary>UTF-8 bytes of one pre-token (BPE).</summary>
    public byte[] Bytes = new byte[256];

    /// <summary>BPE symbols of one pre-token.</summary>
    public BpeSymbol[] Symbols = new BpeSymbol[256];

    /// <summary>BPE merge queue of one pre-token.</summary>
    public BpeMerge[] Heap = new BpeMerge[256];

    /// <summary>Ids of one word (WordPiece) or pre-token (BPE).</summary>
    public int[] WordIds = new int[256];

    /// <summary>The last tokens seen when the output overflows (head-and-tail truncation).</summary>
    public int[] Ring = new int[256];

    /// <summary>Tokens of the first sequence of a pair, or of a whole text.</summary>
    public IntList First = new();

    /// <summary>Tokens of the second sequence of a pair.</summary>
    public IntList Second = new();
}

/// <summary>A growable list of ints that is reused rather than reallocated.</summary>
internal sealed class IntList
{
    /// <summary>The storage; the first <see cref="Count"/> items are in use.</summary>
    public int[] Items = new int[256];

    /// <summary>Number of items in use.</summary>
    public int Count;

    /// <summary>The items in use.</summary>
    public ReadOnlySpan<int> Span => Items.AsSpan(0, Count);

    /// <summary>Appends an item.</summary>
    public void Add(int value)
    {
        if (Count == Items.Length)
        {
            Array.Resize(ref Items, Items.Length * 2);
        }

        Items[Count++] = value;
    }
}

/// <summary>
/// Where the pipeline writes token ids: the first ids go to <c>head</c>; later ids go round a ring holding the last
/// <c>ring.Length</c> ids (or everything goes to a growable list when one is given). Always counts every id, and
/// reports <see cref="IsFull"/> once more than <c>limit</c> ids were added so the pipeline can stop early.
/// </summary>
internal ref struct TokenSink
{
    private readonly Span<int> _head;
    private readonly Span<int> _ring;
    private readonly IntList? _list;
    private readonly int _limit;

    /// <summary>A sink writing into <paramref name="head"/> and then round <paramref name="ring"/>.</summary>
    public TokenSink(Span<int> head, Span<int> ring, int limit = int.MaxValue)
    {
        _head = head;
        _ring = ring;
        _list = null;
        _limit = limit;
        Count = 0;
    }

    /// <summary>A sink appending to <paramref name="list"/> (which it empties first).</summary>
    public TokenSink(IntList list)
    {
        _head = default;
        _ring = default;
        _list = list;
        _limit = int.MaxValue;
        list.Count = 0;
        Count = 0;
    }

    /// <summary>Number of ids added so far.</summary>
    public int Count { get; private set; }

    /// <summary>True once more ids than the limit were added: the rest of the input may be skipped.</summary>
    public readonly bool IsFull => Count > _limit;

    /// <summary>Adds one id.</summary>
    public void Add(int id)
    {
        var i = Count++;
        if (_list is not null)
        {
            _list.Add(id);
        }
        else if (i < _head.Length)
        {
            _head[i] = id;
        }
        else if (_ring.Length != 0)
        {
            _ring[(i - _head.Length) % _ring.Length] = id;
        }
    }

    /// <summary>Adds several ids.</summary>
    public void Add(ReadOnlySpan<int> ids)
    {
        if (_list is null && Count + ids.Length <= _head.Length)
        {
            ids.CopyTo(_head[Count..]);
            Count += ids.Length;
            return;
        }

        foreach (var id in ids)
        {
            Add(id);
        }
    }

    /// <summary>Copies the last <paramref name="destination"/>.Length ids (a sink with no head and a ring at least that
    /// long, which saw at least that many ids) into <paramref name="destination"/>, in order.</summary>
    public readonly void CopyLast(Span<int> destination)
    {
        var first = Count - destination.Length;
        for (var k = 0; k < destination.Length; k++)
        {
            destination[k] = _ring[(first + k) % _ring.Length];
        }
    }
}
