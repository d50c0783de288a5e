using System.Collections.Concurrent;

namespace EdgeRouter.Inference.Tokenization;

/// <summary>One symbol of a word during BPE merging (a doubly linked list over an array, as in Hugging Face).</summary>
internal struct BpeSymbol
{
    /// <summary>Token id of the symbol.</summary>
    public int Id;

    /// <summary>Index of the previous symbol, or -1.</summary>
    public int Prev;

    /// <summary>Index of the next symbol, or -1.</summary>
    public int Next;

    /// <summary>Length in bytes; 0 once merged into its left neighbour.</summary>
    public int Length;
}

/// <summary>A candidate merge in the BPE priority queue, ordered by rank and then position.</summary>
internal struct BpeMerge
{
    /// <summary>Rank of the merge (its line in <c>merges</c>).</summary>
    public int Rank;

    /// <summary>Index of the left symbol.</summary>
    public int Position;

    /// <summary>Id of the merged token.</summary>
    public int NewId;
}

/// <summary>
/// Byte-level BPE (GPT-2 / GPT-NeoX / OLMo / ModernBERT): optional NFC normalizer, the ByteLevel pre-tokenizer (GPT-2
/// split regex, implemented as a hand-written scanner, and the byte-to-unicode alphabet), BPE merges by rank, and the
/// post-processor of the file (e.g. <c>[CLS] $A [SEP]</c> for ModernBERT, nothing for ByteLevel).
/// </summary>
/// <remarks>
/// The result of each pre-token is cached in a bounded concurrent cache keyed by the pre-token's text; a hit is looked
/// up by span and does not allocate. NFC is skipped for text without characters at or above U+0300 (all of which is
/// already in NFC); other text is normalized with built-in tables, without allocating.
/// </remarks>
public sealed class ByteLevelBpeTokenizer : Tokenizer
{
    private const int CacheCapacity = 50_000;
    private const int MaxCachedLength = 256;

    private static readonly char[] ByteToChar = BuildByteAlphabet();

    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocab;
    private readonly Dictionary<long, (int Rank, int NewId)> _merges;
    private readonly int[] _byteIds = new int[256];
    private readonly int _unkId;
    private readonly bool _fuseUnk;
    private readonly bool _ignoreMerges;
    private readonly bool _nfc;
    private readonly bool _addPrefixSpace;
    private readonly bool _useRegex;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cacheLookup;
    private readonly bool _cutsAllowed;
    private int _cacheCount;

    internal ByteLevelBpeTokenizer(
        Dictionary<string, int> vocab, Dictionary<long, (int Rank, int NewId)> merges, int unkId, bool fuseUnk, bool ignoreMerges,
        bool nfc, bool addPrefixSpace, bool useRegex, AddedTokenSet addedTokens, TokenTemplate template, SpecialTokens special)
        : base(vocab, addedTokens, template, special)
    {
        _vocab = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _merges = merges;
        _unkId = unkId;
        _fuseUnk = fuseUnk;
        _ignoreMerges = ignoreMerges;
        _nfc = nfc;
        _addPrefixSpace = addPrefixSpace;
        _useRegex = useRegex;
        _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
        _cutsAllowed = addedTokens.Tokens.All(AllowsCuts);
        for (var b = 0; b < 256; b++)
        {
            _byteIds[b] = vocab.TryGetValue(ByteToChar[b].ToString(), out var id) ? id : -1;
        }
    }

    /// <summary>The GPT-2 byte-to-unicode alphabet: printable bytes map to themselves, the others to U+0100 onwards.</summary>
    internal static char[] BuildByteAlphabet()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is (>= '!' and <= '~') or (>= 0xA1 and <= 0xAC) or (>= 0xAE and <= 0xFF);
            map[b] = printable ? (char)b : (char)next++;
        }

        return map;
    }

    /// <summary>Maps a token's text to its byte-level form (used for added tokens at load).</summary>
    internal static string ToByteLevel(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = ByteToChar[bytes[i]];
        }

        return new string(chars);
    }

    /// <summary>NFC, with the fast path for text that is already NFC because no character is at or above U+0300.</summary>
    internal static ReadOnlySpan<char> Nfc(ReadOnlySpan<char> text, Scratch scratch)
    {
        if (text.IndexOfAnyInRange('\u0300', '\uFFFF') < 0)
        {
            return text;
        }

        var cps = scratch.CodePoints;
        var n = 0;
        for (var i = 0; i < text.Length;)
        {
            var cp = UnicodeData.CodePointAt(text, i, out var width);
            i += width;
            UnicodeData.AppendDecomposition(cp, ref cps, ref n);
        }

        scratch.CodePoints = cps;
        UnicodeData.CanonicalOrder(cps.AsSpan(0, n));
        n = UnicodeData.Compose(cps.AsSpan(0, n));
        UnicodeData.EnsureCapacity(ref scratch.Normalized, 2 * n);
        var output = scratch.Normalized;
        var length = 0;
        for (var k = 0; k < n; k++)
        {
            length += UnicodeData.WriteUtf16(cps[k], output, length);
        }

        return output.AsSpan(0, length);
    }

    private protected override ReadOnlySpan<char> Normalize(ReadOnlySpan<char> piece, Scratch scratch) =>
        _nfc ? Nfc(piece, scratch) : piece;

    /// <summary>ByteLevel pre-tokenizer: optional prefix space, then the GPT-2 split, then BPE on each pre-token.</summary>
    private protected override void EncodeNormalizedPiece(ReadOnlySpan<char> piece, Scratch scratch, ref TokenSink sink)
    {
        if (_addPrefixSpace && piece[0] != ' ')
        {
            UnicodeData.EnsureCapacity(ref scratch.Prefixed, piece.Length + 1);
            scratch.Prefixed[0] = ' ';
            piece.CopyTo(scratch.Prefixed.AsSpan(1));
            piece = scratch.Prefixed.AsSpan(0, piece.Length + 1);
        }

        if (!_useRegex)
        {
            EncodePreToken(piece, scratch, ref sink);
            return;
        }

        for (var i = 0; i < piece.Length && !sink.IsFull;)
        {
            var end = NextSplit(piece, i);
            EncodePreToken(piece[i..end], scratch, ref sink);
            i = end;
        }
    }

    /// <summary>Cuts are safe when no added token has rstrip and every added token holding a space is a run of two or
    /// more spaces (as OLMo's are).</summary>
    private protected override bool CutsAllowed => _cutsAllowed;

    /// <summary>
    /// Safe before a single space between two non-whitespace characters: a GPT-2 split always starts there (the
    /// previous split cannot extend over whitespace), NFC cannot compose or reorder across a space, and with
    /// <see cref="CutsAllowed"/> no added token can span it or strip it.
    /// </summary>
    private protected override bool IsSafeCut(ReadOnlySpan<char> text, int index) =>
        text[index] == ' ' && index + 1 < text.Length && !IsSpaceChar(text[index - 1]) && !IsSpaceChar(text[index + 1]);

    private static bool IsSpaceChar(char c) =>
        (UnicodeData.Flags(char.IsSurrogate(c) ? 0xFFFD : c) & (UnicodeData.Whitespace | UnicodeData.RegexSpace)) != 0;

    private static bool AllowsCuts(AddedTokenInfo token) =>
        !token.RightStrip && (!token.Content.Contains(' ', StringComparison.Ordinal)
            || (token.Content.Length >= 2 && token.Content.All(c => c == ' ')));

    private const int ClassOther = 0, ClassLetter = 1, ClassNumber = 2, ClassSpace = 3;

    private static int ClassAt(ReadOnlySpan<char> s, int i, out int width)
    {
        var flags = UnicodeData.Flags(UnicodeData.CodePointAt(s, i, out width));
        return (flags & UnicodeData.RegexLetter) != 0 ? ClassLetter
            : (flags & UnicodeData.RegexNumber) != 0 ? ClassNumber
            : (flags & UnicodeData.RegexSpace) != 0 ? ClassSpace
            : ClassOther;
    }

    private static int RunEnd(ReadOnlySpan<char> s, int i, int cls)
    {
        while (i < s.Length && ClassAt(s, i, out var width) == cls)
        {
            i += width;
        }

        return i;
    }

    /// <summary>
    /// End of the match of <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c> that
    /// starts at <paramref name="i"/> (the regex matches at every position, so matches tile the text).
    /// </summary>
    internal static int NextSplit(ReadOnlySpan<char> s, int i)
    {
        var c = s[i];
        if (c == '\'' && i + 1 < s.Length)
        {
            var c1 = s[i + 1];
            if (c1 is 's' or 't' or 'm' or 'd')
            {
                return i + 2;
            }

            if (i + 2 < s.Length && ((c1 == 'r' && s[i + 2] == 'e') || (c1 == 'v' && s[i + 2] == 'e') || (c1 == 'l' && s[i + 2] == 'l')))
            {
                return i + 3;
            }
        }

        var at = c == ' ' && i + 1 < s.Length ? i + 1 : i;
        var cls = ClassAt(s, at, out _);
        if (cls != ClassSpace)
        {
            return RunEnd(s, at, cls);
        }

        // Whitespace (all of it is in the BMP): \s+(?!\S) leaves the last one for the next word, else \s+.
        var end = RunEnd(s, i, ClassSpace);
        return end == s.Length || end - i == 1 ? end : end - 1;
    }

    private void EncodePreToken(ReadOnlySpan<char> token, Scratch scratch, ref TokenSink sink)
    {
        if (token.Length <= MaxCachedLength && _cacheLookup.TryGetValue(token, out var cached))
        {
            sink.Add(cached);
            return;
        }

        var count = Merge(token, scratch);
        var ids = scratch.WordIds.AsSpan(0, count);
        sink.Add(ids);
        if (token.Length <= MaxCachedLength)
        {
            if (Interlocked.Increment(ref _cacheCount) > CacheCapacity)
            {
                // Full: start over rather than freeze the first words ever seen.
                _cache.Clear();
                Interlocked.Exchange(ref _cacheCount, 0);
            }

            _cacheLookup.TryAdd(token, ids.ToArray());
        }
    }

    /// <summary>Hugging Face's <c>BPE::merge_word</c> + <c>Word::merge_all</c>; writes the ids to <see cref="Scratch.WordIds"/>.</summary>
    private int Merge(ReadOnlySpan<char> token, Scratch scratch)
    {
        UnicodeData.EnsureCapacity(ref scratch.Bytes, System.Text.Encoding.UTF8.GetMaxByteCount(token.Length));
        var byteCount = System.Text.Encoding.UTF8.GetBytes(token, scratch.Bytes);
        var bytes = scratch.Bytes.AsSpan(0, byteCount);

        if (_ignoreMerges)
        {
            UnicodeData.EnsureCapacity(ref scratch.Mapped, byteCount);
            var mapped = scratch.Mapped.AsSpan(0, byteCount);
            for (var i = 0; i < byteCount; i++)
            {
                mapped[i] = ByteToChar[bytes[i]];
            }

            if (_vocab.TryGetValue(mapped, out var whole))
            {
                scratch.WordIds[0] = whole;
                return 1;
            }
        }

        UnicodeData.EnsureCapacity(ref scratch.Symbols, byteCount);
        UnicodeData.EnsureCapacity(ref scratch.WordIds, byteCount);
        var symbols = scratch.Symbols;
        var n = 0;
        var pendingUnk = -1;
        var pendingUnkLength = 0;

        // Initial symbols: one per UTF-8 byte of each character, as in merge_word (a char is a unit: its bytes are
        // separate symbols because each maps to one char of the byte-level alphabet).
        for (var i = 0; i < byteCount; i++)
        {
            var id = _byteIds[bytes[i]];
            if (id >= 0)
            {
                if (pendingUnk >= 0)
                {
                    AddSymbol(symbols, ref n, pendingUnk, pendingUnkLength);
                    pendingUnk = -1;
                }

                AddSymbol(symbols, ref n, id, 1);
            }
            else if (_unkId >= 0)
            {
                if (pendingUnk >= 0 && _fuseUnk)
                {
                    pendingUnkLength++;
                }
                else
                {
                    if (pendingUnk >= 0)
                    {
                        AddSymbol(symbols, ref n, pendingUnk, pendingUnkLength);
                    }

                    pendingUnk = _unkId;
                    pendingUnkLength = 1;
                }
            }
        }

        if (pendingUnk >= 0)
        {
            AddSymbol(symbols, ref n, pendingUnk, pendingUnkLength);
        }

        if (n > 1)
        {
            MergeAll(symbols, n, scratch);
        }

        var ids = scratch.WordIds;
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            if (symbols[i].Length != 0)
            {
                ids[count++] = symbols[i].Id;
            }
        }

        return count;
    }

    private static void AddSymbol(BpeSymbol[] symbols, ref int n, int id, int length)
    {
        symbols[n] = new BpeSymbol { Id = id, Prev = n - 1, Next = -1, Length = length };
        if (n > 0)
        {
            symbols[n - 1].Next = n;
        }

        n++;
    }

    private static long PairKey(int left, int right) => ((long)left << 32) | (uint)right;

    private void MergeAll(BpeSymbol[] symbols, int n, Scratch scratch)
    {
        UnicodeData.EnsureCapacity(ref scratch.Heap, 2 * n);
        var heap = scratch.Heap;
        var size = 0;
        for (var i = 0; i + 1 < n; i++)
        {
            if (_merges.TryGetValue(PairKey(symbols[i].Id, symbols[i + 1].Id), out var m))
            {
                Push(ref heap, ref size, new BpeMerge { Rank = m.Rank, Position = i, NewId = m.NewId });
            }
        }

        while (size > 0)
        {
            var top = Pop(heap, ref size);
            ref var left = ref symbols[top.Position];
            if (left.Length == 0 || left.Next == -1)
            {
                continue;
            }

            var nextPos = left.Next;
            var right = symbols[nextPos];
            if (!_merges.TryGetValue(PairKey(left.Id, right.Id), out var target) || target.NewId != top.NewId)
            {
                continue;
            }

            left.Id = top.NewId;
            left.Length += right.Length;
            left.Next = right.Next;
            symbols[nextPos].Length = 0;
            if (right.Next >= 0)
            {
                symbols[right.Next].Prev = top.Position;
            }

            if (left.Prev >= 0 && _merges.TryGetValue(PairKey(symbols[left.Prev].Id, left.Id), out var before))
            {
                Push(ref heap, ref size, new BpeMerge { Rank = before.Rank, Position = left.Prev, NewId = before.NewId });
            }

            if (left.Next >= 0 && _merges.TryGetValue(PairKey(left.Id, symbols[left.Next].Id), out var after))
            {
                Push(ref heap, ref size, new BpeMerge { Rank = after.Rank, Position = top.Position, NewId = after.NewId });
            }
        }

        scratch.Heap = heap;
    }

    private static bool Less(in BpeMerge a, in BpeMerge b) => a.Rank != b.Rank ? a.Rank < b.Rank : a.Position < b.Position;

    private static void Push(ref BpeMerge[] heap, ref int size, BpeMerge item)
    {
        UnicodeData.EnsureCapacity(ref heap, size + 1);
        var i = size++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Less(item, heap[parent]))
            {
                break;
            }

            heap[i] = heap[parent];
            i = parent;
        }

        heap[i] = item;
    }

    private static BpeMerge Pop(BpeMerge[] heap, ref int size)
    {
        var top = heap[0];
        var last = heap[--size];
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= size)
            {
                break;
            }

            if (child + 1 < size && Less(heap[child + 1], heap[child]))
            {
                child++;
            }

            if (!Less(heap[child], last))
            {
                break;
            }

            heap[i] = heap[child];
            i = child;
        }

        if (size > 0)
        {
            heap[i] = last;
        }

        return top;
    }
}
