namespace EdgeRouter.Inference.Tokenization;

/// <summary>
/// A text tokenizer that reproduces Hugging Face <c>tokenizers</c> exactly (ids identical to its output for the same
/// <c>tokenizer.json</c>, padding and truncation disabled). Instances are immutable after loading and thread-safe.
/// </summary>
/// <remarks>
/// <para>The encode methods that write into a span are allocation-free once warmed up: working buffers are kept per
/// thread, vocabulary lookups use span-keyed alternate lookups, and the BPE cache is hit without allocating. Unicode
/// normalization (NFC, BERT accent stripping) is implemented here with tables taken from Hugging Face's own build, so
/// non-ASCII text is normalized without allocating as well (<see cref="string.Normalize()"/> is not used).</para>
/// <para>Lone UTF-16 surrogates are read as U+FFFD, which is what Hugging Face sees for them.</para>
/// </remarks>
public abstract class Tokenizer
{
    /// <summary>Smallest suffix (chars) tokenized to find the tail of a truncated text.</summary>
    private const int MinTailWindow = 1024;

    /// <summary>Raw pieces longer than twice this are encoded in chunks of about this many chars.</summary>
    private const int ChunkSize = 4096;

    private readonly AddedTokenSet _addedTokens;
    private readonly TokenTemplate _template;
    private readonly Dictionary<string, int> _tokenToId;
    private readonly string?[] _idToToken;

    private protected Tokenizer(
        IReadOnlyDictionary<string, int> modelVocabulary, AddedTokenSet addedTokens, TokenTemplate template, SpecialTokens special)
    {
        _addedTokens = addedTokens;
        _template = template;
        Special = special;
        _tokenToId = new Dictionary<string, int>(modelVocabulary, StringComparer.Ordinal);
        var maxId = -1;
        foreach (var id in modelVocabulary.Values)
        {
            maxId = Math.Max(maxId, id);
        }

        foreach (var token in addedTokens.Tokens)
        {
            _tokenToId[token.Content] = token.Id;
            maxId = Math.Max(maxId, token.Id);
        }

        _idToToken = new string?[maxId + 1];
        foreach (var (token, id) in modelVocabulary)
        {
            _idToToken[id] = token;
        }

        foreach (var token in addedTokens.Tokens)
        {
            _idToToken[token.Id] = token.Content;
        }
    }

    /// <summary>Number of token ids: one more than the largest id of the vocabulary and the added tokens.</summary>
    public int VocabularySize => _idToToken.Length;

    /// <summary>Ids of the special tokens (-1 for those the tokenizer lacks).</summary>
    public SpecialTokens Special { get; }

    /// <summary>Number of special tokens <see cref="Encode(ReadOnlySpan{char}, Span{int}, bool)"/> adds to one text.</summary>
    public int SpecialTokenCount => _template.SingleCount;

    /// <summary>Number of special tokens <see cref="EncodePair"/> adds to a pair of texts.</summary>
    public int PairSpecialTokenCount => _template.PairCount;

    /// <summary>The id of a token (vocabulary entry or added token), or -1.</summary>
    public int TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _tokenToId.TryGetValue(token, out var id) ? id : -1;
    }

    /// <summary>The vocabulary entry of an id (byte-level BPE entries use the GPT-2 byte alphabet), or null.</summary>
    public string? IdToToken(int id) => (uint)id < (uint)_idToToken.Length ? _idToToken[id] : null;

    /// <summary>
    /// Writes the ids of <paramref name="text"/> into <paramref name="destination"/>, with the model's special tokens
    /// (e.g. <c>[CLS] … [SEP]</c>) when <paramref name="addSpecialTokens"/> is set, and returns how many were written.
    /// </summary>
    /// <remarks>
    /// When the ids do not fit, the text's tokens are truncated keeping their head and their tail (the special tokens
    /// are always kept): with <c>budget = destination.Length - specials</c>, the first <c>budget / 2</c> and the last
    /// <c>budget - budget / 2</c> tokens of the text are written, so exactly <c>destination.Length</c> ids. A long
    /// text is not tokenized whole for this: tokenization stops once the destination overflows, and the tail is
    /// taken from a suffix of the text that starts at a whitespace where cutting provably changes nothing.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="destination"/> cannot even hold the special tokens.</exception>
    public int Encode(ReadOnlySpan<char> text, Span<int> destination, bool addSpecialTokens = true)
    {
        var template = addSpecialTokens ? _template : TokenTemplate.Empty;
        ReadOnlySpan<int> prefix = template.SinglePrefix;
        ReadOnlySpan<int> suffix = template.SingleSuffix;
        var specials = prefix.Length + suffix.Length;
        if (destination.Length < specials)
        {
            throw new ArgumentException(
                $"The destination holds {destination.Length} ids but the special tokens alone need {specials}.", nameof(destination));
        }

        var scratch = Scratch.Current;
        text = Sanitize(text, scratch);
        var budget = destination.Length - specials;
        var content = destination.Slice(prefix.Length, budget);

        // Pass 1 writes the first tokens and stops as soon as there is one more than fits.
        var sink = new TokenSink(content, default, budget);
        EncodeContent(text, scratch, ref sink);
        var count = sink.Count;
        if (count > budget)
        {
            WriteTail(text, scratch, content[(budget / 2)..]);
            count = budget;
        }

        prefix.CopyTo(destination);
        suffix.CopyTo(destination[(prefix.Length + count)..]);
        return count + specials;
    }

    /// <summary>
    /// Pass 2 of a truncating encode: writes the last <paramref name="destination"/>.Length tokens of
    /// <paramref name="text"/>, tokenizing only a suffix of it that starts at a safe cut (see <see cref="IsSafeCut"/>)
    /// and is long enough, or the whole text when there is no such cut.
    /// </summary>
    private void WriteTail(ReadOnlySpan<char> text, Scratch scratch, Span<int> destination)
    {
        var tail = destination.Length;
        if (tail == 0)
        {
            return;
        }

        UnicodeData.EnsureCapacity(ref scratch.Ring, tail);
        var ring = scratch.Ring.AsSpan(0, tail);
        var window = (int)Math.Min(Math.Max(MinTailWindow, 16L * tail), text.Length);
        while (true)
        {
            var cut = text.Length - window > 0 ? FindCutBackward(text, text.Length - window) : 0;
            var sink = new TokenSink(default, ring);
            EncodeContent(text[cut..], scratch, ref sink);
            if (sink.Count >= tail || cut == 0)
            {
                sink.CopyLast(destination);
                return;
            }

            window = (int)Math.Min(4L * window, text.Length);
        }
    }

    /// <summary>The last safe cut at or before <paramref name="from"/>, or 0.</summary>
    private int FindCutBackward(ReadOnlySpan<char> text, int from)
    {
        if (!CutsAllowed)
        {
            return 0;
        }

        for (var c = from; c > 0; c--)
        {
            if (IsSafeCut(text, c))
            {
                return c;
            }
        }

        return 0;
    }

    /// <summary>Returns the ids of <paramref name="text"/> (no truncation) as a new array.</summary>
    public int[] Encode(ReadOnlySpan<char> text, bool addSpecialTokens = true)
    {
        var scratch = Scratch.Current;
        text = Sanitize(text, scratch);
        var sink = new TokenSink(scratch.First);
        EncodeContent(text, scratch, ref sink);
        var template = addSpecialTokens ? _template : TokenTemplate.Empty;
        return [.. template.SinglePrefix, .. scratch.First.Span, .. template.SingleSuffix];
    }

    /// <summary>Number of ids <paramref name="text"/> encodes to without truncation (special tokens included when asked).</summary>
    public int CountTokens(ReadOnlySpan<char> text, bool addSpecialTokens = true)
    {
        var scratch = Scratch.Current;
        text = Sanitize(text, scratch);
        var sink = new TokenSink(default, default);
        EncodeContent(text, scratch, ref sink);
        return sink.Count + (addSpecialTokens ? _template.SingleCount : 0);
    }

    /// <summary>
    /// Writes the ids of a pair of texts (e.g. query and passage for a cross-encoder), laid out by the model's
    /// post-processor (<c>[CLS] A [SEP] B [SEP]</c> for BERT), into <paramref name="destination"/> and their type ids
    /// into <paramref name="typeIds"/> unless it is empty; returns how many were written.
    /// </summary>
    /// <remarks>
    /// When the ids do not fit, the longer text is cut first: the shorter keeps up to half of the budget and the longer
    /// gets the rest; each cut text keeps its head and its tail, as in <see cref="Encode(ReadOnlySpan{char}, Span{int}, bool)"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">The destination cannot hold the special tokens, or
    /// <paramref name="typeIds"/> is neither empty nor as long as <paramref name="destination"/>.</exception>
    public int EncodePair(
        ReadOnlySpan<char> first, ReadOnlySpan<char> second, Span<int> destination, Span<int> typeIds = default, bool addSpecialTokens = true)
    {
        var template = addSpecialTokens ? _template : TokenTemplate.Empty;
        var specials = template.PairCount;
        if (destination.Length < specials)
        {
            throw new ArgumentException(
                $"The destination holds {destination.Length} ids but the special tokens alone need {specials}.", nameof(destination));
        }

        if (!typeIds.IsEmpty && typeIds.Length < destination.Length)
        {
            throw new ArgumentException("The type-id span must be empty or as long as the destination.", nameof(typeIds));
        }

        var scratch = Scratch.Current;
        var sinkA = new TokenSink(scratch.First);
        EncodeContent(Sanitize(first, scratch), scratch, ref sinkA);
        var sinkB = new TokenSink(scratch.Second);
        EncodeContent(Sanitize(second, scratch), scratch, ref sinkB);
        var a = scratch.First.Span;
        var b = scratch.Second.Span;

        var budget = destination.Length - specials;
        int keepA = a.Length, keepB = b.Length;
        if (keepA + keepB > budget)
        {
            if (keepA <= keepB)
            {
                keepA = Math.Min(keepA, budget / 2);
                keepB = budget - keepA;
            }
            else
            {
                keepB = Math.Min(keepB, budget / 2);
                keepA = budget - keepB;
            }
        }

        var at = 0;
        var special = 0;
        WriteSpecials(template.PairPrefix, template, destination, typeIds, ref at, ref special);
        WriteHeadAndTail(a, keepA, template.FirstTypeId, destination, typeIds, ref at);
        WriteSpecials(template.PairMiddle, template, destination, typeIds, ref at, ref special);
        WriteHeadAndTail(b, keepB, template.SecondTypeId, destination, typeIds, ref at);
        WriteSpecials(template.PairSuffix, template, destination, typeIds, ref at, ref special);
        return at;
    }

    private static void WriteSpecials(
        int[] ids, TokenTemplate template, Span<int> destination, Span<int> typeIds, ref int at, ref int special)
    {
        foreach (var id in ids)
        {
            if (!typeIds.IsEmpty)
            {
                typeIds[at] = template.PairSpecialTypeIds[special];
            }

            destination[at++] = id;
            special++;
        }
    }

    private static void WriteHeadAndTail(
        ReadOnlySpan<int> ids, int keep, int typeId, Span<int> destination, Span<int> typeIds, ref int at)
    {
        var head = keep / 2;
        if (keep < ids.Length)
        {
            ids[..head].CopyTo(destination[at..]);
            ids[^(keep - head)..].CopyTo(destination[(at + head)..]);
        }
        else
        {
            ids.CopyTo(destination[at..]);
        }

        if (!typeIds.IsEmpty)
        {
            typeIds.Slice(at, keep).Fill(typeId);
        }

        at += keep;
    }

    /// <summary>Replaces lone surrogates by U+FFFD (in a scratch copy) so every stage sees well-formed text.</summary>
    private static ReadOnlySpan<char> Sanitize(ReadOnlySpan<char> text, Scratch scratch)
    {
        var firstSurrogate = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (firstSurrogate < 0)
        {
            return text;
        }

        var bad = false;
        for (var i = firstSurrogate; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                bad = true;
                break;
            }
        }

        if (!bad)
        {
            return text;
        }

        // The sanitized copy has a buffer of its own: no later stage writes it.
        UnicodeData.EnsureCapacity(ref scratch.Sanitized, text.Length);
        var copy = scratch.Sanitized;

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                copy[i] = c;
                copy[i + 1] = text[i + 1];
                i++;
            }
            else
            {
                copy[i] = char.IsSurrogate(c) ? '\uFFFD' : c;
            }
        }

        return copy.AsSpan(0, text.Length);
    }

    /// <summary>The content pipeline: added tokens on the raw text, then normalization, added tokens on the
    /// normalized pieces, pre-tokenization and the model.</summary>
    private void EncodeContent(ReadOnlySpan<char> text, Scratch scratch, ref TokenSink sink)
    {
        if (_addedTokens.Raw.IsEmpty)
        {
            EncodeRawPiece(text, scratch, ref sink);
        }
        else
        {
            SplitOnAddedTokens(text, _addedTokens.Raw, normalized: false, scratch, ref sink);
        }
    }

    /// <summary>Encodes a raw piece (between raw added tokens); a long one in chunks split at safe cuts, which keeps the
    /// working buffers small and lets a truncating encode stop early.</summary>
    private void EncodeRawPiece(ReadOnlySpan<char> piece, Scratch scratch, ref TokenSink sink)
    {
        while (piece.Length > 2 * ChunkSize && CutsAllowed && !sink.IsFull)
        {
            var cut = -1;
            for (var c = ChunkSize; c < piece.Length - 1; c++)
            {
                if (IsSafeCut(piece, c))
                {
                    cut = c;
                    break;
                }
            }

            if (cut < 0)
            {
                break;
            }

            EncodeRawChunk(piece[..cut], scratch, ref sink);
            piece = piece[cut..];
        }

        if (!sink.IsFull)
        {
            EncodeRawChunk(piece, scratch, ref sink);
        }
    }

    private void EncodeRawChunk(ReadOnlySpan<char> piece, Scratch scratch, ref TokenSink sink)
    {
        if (piece.IsEmpty)
        {
            return;
        }

        var normalized = Normalize(piece, scratch);
        if (_addedTokens.Normalized.IsEmpty)
        {
            EncodeNormalizedPiece(normalized, scratch, ref sink);
        }
        else
        {
            SplitOnAddedTokens(normalized, _addedTokens.Normalized, normalized: true, scratch, ref sink);
        }
    }

    /// <summary>Hugging Face's <c>AddedVocabulary::find_matches</c>, including its single-word, lstrip and rstrip rules.</summary>
    private void SplitOnAddedTokens(
        ReadOnlySpan<char> text, AddedTokenTrie trie, bool normalized, Scratch scratch, ref TokenSink sink)
    {
        var startOffset = 0;
        var searchFrom = 0;
        while (!sink.IsFull && trie.Find(text, searchFrom, out var matchStart, out var matchEnd, out var index))
        {
            searchFrom = matchEnd;
            var token = _addedTokens.Tokens[index];
            var start = matchStart;
            var stop = matchEnd;
            if (token.SingleWord)
            {
                var startSpace = start == 0 || !EndsWithWordChar(text[..start]);
                var stopSpace = stop == text.Length || !StartsWithWordChar(text[stop..]);
                if (!startSpace || !stopSpace)
                {
                    continue;
                }
            }

            if (token.LeftStrip)
            {
                var newStart = start;
                while (newStart > 0 && IsWhitespaceBefore(text, newStart, out var width))
                {
                    newStart -= width;
                }

                start = Math.Max(newStart, startOffset);
            }

            if (token.RightStrip)
            {
                while (stop < text.Length)
                {
                    var cp = UnicodeData.CodePointAt(text, stop, out var width);
                    if ((UnicodeData.Flags(cp) & UnicodeData.Whitespace) == 0)
                    {
                        break;
                    }

                    stop += width;
                }
            }

            if (startOffset < start)
            {
                EncodeSplit(text[startOffset..start], normalized, scratch, ref sink);
            }

            sink.Add(token.Id);
            startOffset = stop;
        }

        if (startOffset < text.Length && !sink.IsFull)
        {
            EncodeSplit(text[startOffset..], normalized, scratch, ref sink);
        }
    }

    private void EncodeSplit(ReadOnlySpan<char> piece, bool normalized, Scratch scratch, ref TokenSink sink)
    {
        if (normalized)
        {
            if (!piece.IsEmpty)
            {
                EncodeNormalizedPiece(piece, scratch, ref sink);
            }
        }
        else
        {
            EncodeRawPiece(piece, scratch, ref sink);
        }
    }

    private static bool IsWhitespaceBefore(ReadOnlySpan<char> text, int end, out int width)
    {
        width = 1;
        int c = text[end - 1];
        if (char.IsLowSurrogate((char)c) && end >= 2 && char.IsHighSurrogate(text[end - 2]))
        {
            width = 2;
            c = char.ConvertToUtf32(text[end - 2], (char)c);
        }

        return (UnicodeData.Flags(c) & UnicodeData.Whitespace) != 0;
    }

    private static bool EndsWithWordChar(ReadOnlySpan<char> text)
    {
        int c = text[^1];
        if (char.IsLowSurrogate((char)c) && text.Length >= 2 && char.IsHighSurrogate(text[^2]))
        {
            c = char.ConvertToUtf32(text[^2], (char)c);
        }

        return AddedTokenSet.IsWordChar(c);
    }

    private static bool StartsWithWordChar(ReadOnlySpan<char> text) =>
        AddedTokenSet.IsWordChar(UnicodeData.CodePointAt(text, 0, out _));

    /// <summary>Applies the tokenizer's normalizer to a piece of raw text (between added tokens); may return
    /// <paramref name="piece"/> itself or a span of a scratch buffer.</summary>
    private protected abstract ReadOnlySpan<char> Normalize(ReadOnlySpan<char> piece, Scratch scratch);

    /// <summary>Pre-tokenizes a non-empty normalized piece and runs the model on each pre-token (stopping early once
    /// the sink is full).</summary>
    private protected abstract void EncodeNormalizedPiece(ReadOnlySpan<char> piece, Scratch scratch, ref TokenSink sink);

    /// <summary>True when <see cref="IsSafeCut"/> may be used (it depends on the added tokens).</summary>
    private protected abstract bool CutsAllowed { get; }

    /// <summary>
    /// True when cutting the raw text before index <paramref name="index"/> (0 &lt; index &lt; length) cannot change
    /// the result: the ids of the text are the ids of the part before followed by the ids of the part after.
    /// </summary>
    private protected abstract bool IsSafeCut(ReadOnlySpan<char> text, int index);

    /// <summary>
    /// Loads a tokenizer from a Hugging Face <c>tokenizer.json</c> (WordPiece or byte-level BPE model), a BERT
    /// <c>vocab.txt</c>, or a directory holding either (<c>tokenizer.json</c> preferred).
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file, or a directory with neither file.</exception>
    /// <exception cref="InvalidDataException">The file is malformed; the message names the file.</exception>
    /// <exception cref="NotSupportedException">The file uses a model or component this library does not implement.</exception>
    public static Tokenizer Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            var json = Path.Combine(path, "tokenizer.json");
            if (File.Exists(json))
            {
                return LoadTokenizerJson(json);
            }

            var vocab = Path.Combine(path, "vocab.txt");
            if (File.Exists(vocab))
            {
                return WordPieceTokenizer.FromVocabFile(vocab);
            }

            throw new FileNotFoundException($"The directory '{path}' holds neither a tokenizer.json nor a vocab.txt.", json);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Tokenizer file '{path}' not found.", path);
        }

        return path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)
            ? WordPieceTokenizer.FromVocabFile(path)
            : LoadTokenizerJson(path);
    }

    /// <summary>Loads a Hugging Face <c>tokenizer.json</c> (model type <c>WordPiece</c> or <c>BPE</c>).</summary>
    /// <exception cref="InvalidDataException">The file is malformed; the message names the file.</exception>
    /// <exception cref="NotSupportedException">The file uses a model or component this library does not implement.</exception>
    public static Tokenizer LoadTokenizerJson(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            throw new FileNotFoundException($"Tokenizer file '{path}' not found.", path);
        }

        return TokenizerJsonLoader.Load(bytes, path);
    }
}
