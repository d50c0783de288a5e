namespace EdgeRouter.Inference.Tokenization;

/// <summary>Settings for loading a BERT WordPiece tokenizer from a bare <c>vocab.txt</c>.</summary>
public sealed class WordPieceOptions
{
    /// <summary>Lower-case the text (uncased models). Default true.</summary>
    public bool Lowercase { get; init; } = true;

    /// <summary>Strip accents; null (the default) follows <see cref="Lowercase"/>.</summary>
    public bool? StripAccents { get; init; }

    /// <summary>Surround CJK ideographs with spaces. Default true.</summary>
    public bool HandleChineseChars { get; init; } = true;

    /// <summary>Drop control characters and map whitespace to spaces. Default true.</summary>
    public bool CleanText { get; init; } = true;

    /// <summary>Classification token. Default <c>[CLS]</c>.</summary>
    public string ClsToken { get; init; } = "[CLS]";

    /// <summary>Separator token. Default <c>[SEP]</c>.</summary>
    public string SepToken { get; init; } = "[SEP]";

    /// <summary>Unknown-word token. Default <c>[UNK]</c>.</summary>
    public string UnkToken { get; init; } = "[UNK]";

    /// <summary>Padding token. Default <c>[PAD]</c>.</summary>
    public string PadToken { get; init; } = "[PAD]";

    /// <summary>Mask token. Default <c>[MASK]</c>.</summary>
    public string MaskToken { get; init; } = "[MASK]";

    /// <summary>Prefix of word-continuation pieces. Default <c>##</c>.</summary>
    public string ContinuingSubwordPrefix { get; init; } = "##";

    /// <summary>Words with more characters (code points) than this become the unknown token. Default 100.</summary>
    public int MaxInputCharsPerWord { get; init; } = 100;
}

/// <summary>
/// BERT's WordPiece tokenizer: <c>BertNormalizer</c>, <c>BertPreTokenizer</c> (split on whitespace and punctuation),
/// greedy longest-match-first WordPiece with a continuation prefix, and the [CLS]/[SEP] post-processor.
/// </summary>
public sealed class WordPieceTokenizer : Tokenizer
{
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocab;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuations;
    private readonly BertNormalizer? _normalizer;
    private readonly int _unkId;
    private readonly int _maxInputChars;
    private readonly bool _cutsAllowed;

    internal WordPieceTokenizer(
        Dictionary<string, int> vocab, int unkId, string continuingSubwordPrefix, int maxInputCharsPerWord,
        BertNormalizer? normalizer, AddedTokenSet addedTokens, TokenTemplate template, SpecialTokens special)
        : base(vocab, addedTokens, template, special)
    {
        _vocab = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        var continuations = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in vocab)
        {
            if (token.StartsWith(continuingSubwordPrefix, StringComparison.Ordinal))
            {
                continuations[token[continuingSubwordPrefix.Length..]] = id;
            }
        }

        _continuations = continuations.GetAlternateLookup<ReadOnlySpan<char>>();
        _normalizer = normalizer;
        _unkId = unkId;
        _maxInputChars = maxInputCharsPerWord;
        _cutsAllowed = addedTokens.Tokens.All(t => !t.Content.Any(c => (UnicodeData.Flags(c) & UnicodeData.Whitespace) != 0));
    }

    /// <summary>
    /// Loads a BERT <c>vocab.txt</c> (one token per line, the line number is the id) with <paramref name="options"/>
    /// (defaults: uncased BERT). The special tokens are matched in the input text as Hugging Face does.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is empty or lacks a configured special token; the message names the file.</exception>
    public static WordPieceTokenizer FromVocabFile(string path, WordPieceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new WordPieceOptions();
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path, System.Text.Encoding.UTF8);
        }
        catch (FileNotFoundException)
        {
            throw new FileNotFoundException($"Vocabulary file '{path}' not found.", path);
        }

        for (var i = 0; i < lines.Length; i++)
        {
            vocab[lines[i].TrimEnd()] = i;
        }

        if (vocab.Count == 0)
        {
            throw new InvalidDataException($"Vocabulary file '{path}' holds no tokens.");
        }

        int Require(string token) => vocab.TryGetValue(token, out var id)
            ? id
            : throw new InvalidDataException($"Vocabulary file '{path}' lacks the token '{token}'.");

        var unk = Require(options.UnkToken);
        var cls = Require(options.ClsToken);
        var sep = Require(options.SepToken);
        var pad = vocab.GetValueOrDefault(options.PadToken, -1);
        var mask = vocab.GetValueOrDefault(options.MaskToken, -1);
        var normalizer = new BertNormalizer(options.CleanText, options.HandleChineseChars, options.StripAccents, options.Lowercase);

        // The converted tokenizer.json of a BERT model lists its special tokens as added tokens (not normalized).
        var added = new List<AddedTokenInfo>();
        foreach (var (token, id) in new[] { (options.PadToken, pad), (options.UnkToken, unk), (options.ClsToken, cls), (options.SepToken, sep), (options.MaskToken, mask) })
        {
            if (id >= 0)
            {
                added.Add(new AddedTokenInfo(id, token, false, false, false, false, true));
            }
        }

        added.Sort((a, b) => a.Id.CompareTo(b.Id));
        return new WordPieceTokenizer(
            vocab, unk, options.ContinuingSubwordPrefix, options.MaxInputCharsPerWord, normalizer,
            new AddedTokenSet(added, normalizer.Normalize), TokenTemplate.Bert(cls, sep), new SpecialTokens(cls, sep, pad, unk, mask));
    }

    private protected override ReadOnlySpan<char> Normalize(ReadOnlySpan<char> piece, Scratch scratch) =>
        _normalizer is null ? piece : _normalizer.Normalize(piece, scratch);

    /// <summary>BertPreTokenizer: split on whitespace (dropped) and punctuation (kept as one-char words).</summary>
    private protected override void EncodeNormalizedPiece(ReadOnlySpan<char> piece, Scratch scratch, ref TokenSink sink)
    {
        var wordStart = -1;
        for (var i = 0; i < piece.Length && !sink.IsFull;)
        {
            var cp = UnicodeData.CodePointAt(piece, i, out var width);
            var flags = UnicodeData.Flags(cp);
            if ((flags & (UnicodeData.Whitespace | UnicodeData.BertPunctuation)) != 0)
            {
                if (wordStart >= 0)
                {
                    EncodeWord(piece[wordStart..i], scratch, ref sink);
                    wordStart = -1;
                }

                if ((flags & UnicodeData.BertPunctuation) != 0)
                {
                    EncodeWord(piece.Slice(i, width), scratch, ref sink);
                }
            }
            else if (wordStart < 0)
            {
                wordStart = i;
            }

            i += width;
        }

        if (wordStart >= 0 && !sink.IsFull)
        {
            EncodeWord(piece[wordStart..], scratch, ref sink);
        }
    }

    /// <summary>Cuts are safe when no added token contains whitespace.</summary>
    private protected override bool CutsAllowed => _cutsAllowed;

    /// <summary>
    /// Safe before an ASCII space, tab or line break: it becomes (or stays) whitespace, words never span it, NFD
    /// reordering stops at it, and no added token can span it.
    /// </summary>
    private protected override bool IsSafeCut(ReadOnlySpan<char> text, int index) => text[index] is ' ' or '\t' or '\n' or '\r';

    /// <summary>Greedy longest-match-first WordPiece over one word.</summary>
    private void EncodeWord(ReadOnlySpan<char> word, Scratch scratch, ref TokenSink sink)
    {
        if (word.Length > _maxInputChars && CountCodePoints(word) > _maxInputChars)
        {
            sink.Add(_unkId);
            return;
        }

        if (_vocab.TryGetValue(word, out var whole))
        {
            sink.Add(whole);
            return;
        }

        UnicodeData.EnsureCapacity(ref scratch.WordIds, word.Length);
        var ids = scratch.WordIds;
        var count = 0;
        var start = 0;
        while (start < word.Length)
        {
            var end = word.Length;
            var found = -1;
            while (start < end)
            {
                var piece = word[start..end];
                if (start == 0 ? _vocab.TryGetValue(piece, out found) : _continuations.TryGetValue(piece, out found))
                {
                    break;
                }

                found = -1;
                end -= end - start >= 2 && char.IsLowSurrogate(word[end - 1]) && char.IsHighSurrogate(word[end - 2]) ? 2 : 1;
            }

            if (found < 0)
            {
                sink.Add(_unkId);
                return;
            }

            ids[count++] = found;
            start = end;
        }

        sink.Add(ids.AsSpan(0, count));
    }

    private static int CountCodePoints(ReadOnlySpan<char> word)
    {
        var count = word.Length;
        for (var i = 0; i + 1 < word.Length; i++)
        {
            if (char.IsHighSurrogate(word[i]) && char.IsLowSurrogate(word[i + 1]))
            {
                count--;
                i++;
            }
        }

        return count;
    }
}
