using System.Globalization;

namespace EdgeRouter.Inference.Tokenization;

/// <summary>One entry of a tokenizer's <c>added_tokens</c>: text matched before the model runs.</summary>
/// <param name="Id">The token id.</param>
/// <param name="Content">The literal text of the token.</param>
/// <param name="SingleWord">Only match when not inside a word.</param>
/// <param name="LeftStrip">Also consume the whitespace before the match.</param>
/// <param name="RightStrip">Also consume the whitespace after the match.</param>
/// <param name="Normalized">Match against the normalized text rather than the raw input.</param>
/// <param name="Special">A special token (only matters for decoding).</param>
internal sealed record AddedTokenInfo(int Id, string Content, bool SingleWord, bool LeftStrip, bool RightStrip, bool Normalized, bool Special);

/// <summary>
/// Leftmost-longest matcher over a fixed set of strings (the added tokens), equivalent to the Aho-Corasick
/// <c>LeftmostLongest</c> search Hugging Face uses. A small char trie: added-token sets are tiny.
/// </summary>
internal sealed class AddedTokenTrie
{
    private readonly ulong[] _firstChars = new ulong[1024];
    private readonly List<Node> _nodes = [new Node()];

    private sealed class Node
    {
        public Dictionary<char, int>? Children;
        public int Terminal = -1;
    }

    /// <summary>True when the trie holds no strings.</summary>
    public bool IsEmpty { get; private set; } = true;

    /// <summary>Adds <paramref name="pattern"/> with the payload <paramref name="value"/> (a later duplicate wins).</summary>
    public void Add(string pattern, int value)
    {
        if (pattern.Length == 0)
        {
            return;
        }

        IsEmpty = false;
        _firstChars[pattern[0] >> 6] |= 1UL << (pattern[0] & 63);
        var node = 0;
        foreach (var c in pattern)
        {
            var children = _nodes[node].Children ??= [];
            if (!children.TryGetValue(c, out var next))
            {
                next = _nodes.Count;
                _nodes.Add(new Node());
                children[c] = next;
            }

            node = next;
        }

        _nodes[node].Terminal = value;
    }

    /// <summary>Finds the leftmost match at or after <paramref name="from"/>, the longest one at that position.</summary>
    public bool Find(ReadOnlySpan<char> text, int from, out int start, out int end, out int value)
    {
        for (var i = from; i < text.Length; i++)
        {
            var c = text[i];
            if ((_firstChars[c >> 6] & (1UL << (c & 63))) == 0)
            {
                continue;
            }

            var node = 0;
            var best = -1;
            var bestEnd = 0;
            for (var j = i; j < text.Length; j++)
            {
                var children = _nodes[node].Children;
                if (children is null || !children.TryGetValue(text[j], out node))
                {
                    break;
                }

                if (_nodes[node].Terminal >= 0)
                {
                    best = _nodes[node].Terminal;
                    bestEnd = j + 1;
                }
            }

            if (best >= 0)
            {
                start = i;
                end = bestEnd;
                value = best;
                return true;
            }
        }

        start = end = value = 0;
        return false;
    }
}

/// <summary>The added tokens of a tokenizer, split into the two sets Hugging Face matches in two passes.</summary>
internal sealed class AddedTokenSet
{
    /// <summary>All added tokens, indexed by the trie payloads.</summary>
    public AddedTokenInfo[] Tokens { get; }

    /// <summary>Tokens with <c>normalized = false</c>, matched on the raw input.</summary>
    public AddedTokenTrie Raw { get; } = new();

    /// <summary>Tokens with <c>normalized = true</c>, matched (in normalized form) on the normalized pieces.</summary>
    public AddedTokenTrie Normalized { get; } = new();

    /// <summary>Builds the sets; <paramref name="normalize"/> maps a normalized token's content to its normalized form.</summary>
    public AddedTokenSet(IReadOnlyList<AddedTokenInfo> tokens, Func<string, string> normalize)
    {
        Tokens = [.. tokens];
        for (var i = 0; i < Tokens.Length; i++)
        {
            var token = Tokens[i];
            if (token.Normalized)
            {
                Normalized.Add(normalize(token.Content), i);
            }
            else
            {
                Raw.Add(token.Content, i);
            }
        }
    }

    /// <summary>Regex <c>\w</c> (Rust regex crate), used by single-word tokens: letters, marks, decimal digits,
    /// connector punctuation, join controls and the other-alphabetic symbols. Approximated with .NET's categories.</summary>
    public static bool IsWordChar(int cp)
    {
        if (cp is 0x200C or 0x200D or (>= 0x24B6 and <= 0x24E9) or (>= 0x1F130 and <= 0x1F149)
            or (>= 0x1F150 and <= 0x1F169) or (>= 0x1F170 and <= 0x1F189))
        {
            return true;
        }

        return CharUnicodeInfo.GetUnicodeCategory(cp) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
                or UnicodeCategory.EnclosingMark or UnicodeCategory.DecimalDigitNumber
                or UnicodeCategory.ConnectorPunctuation => true,
            _ => false,
        };
    }
}
