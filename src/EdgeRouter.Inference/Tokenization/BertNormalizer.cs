using System.Text;

namespace EdgeRouter.Inference.Tokenization;

/// <summary>
/// Hugging Face's <c>BertNormalizer</c>: clean text (drop U+0000, U+FFFD and control/format/private-use characters,
/// turn whitespace into spaces), put spaces around CJK ideographs, strip accents (NFD, then drop nonspacing marks) and
/// lower-case, in that order.
/// </summary>
internal sealed class BertNormalizer
{
    /// <summary>Creates the normalizer; <paramref name="stripAccents"/> null follows <paramref name="lowercase"/>.</summary>
    public BertNormalizer(bool cleanText, bool handleChineseChars, bool? stripAccents, bool lowercase)
    {
        CleanText = cleanText;
        HandleChineseChars = handleChineseChars;
        StripAccents = stripAccents ?? lowercase;
        Lowercase = lowercase;
    }

    /// <summary>Drop control characters and map whitespace to spaces.</summary>
    public bool CleanText { get; }

    /// <summary>Surround CJK ideographs with spaces.</summary>
    public bool HandleChineseChars { get; }

    /// <summary>Decompose and drop nonspacing marks.</summary>
    public bool StripAccents { get; }

    /// <summary>Lower-case.</summary>
    public bool Lowercase { get; }

    /// <summary>Normalizes a string (used once per added token at load).</summary>
    public string Normalize(string text)
    {
        var scratch = new Scratch();
        return Normalize(text, scratch).ToString();
    }

    /// <summary>Normalizes <paramref name="text"/> into <see cref="Scratch.Normalized"/> (or returns it unchanged).</summary>
    public ReadOnlySpan<char> Normalize(ReadOnlySpan<char> text, Scratch scratch)
    {
        if (!CleanText && !HandleChineseChars && !StripAccents && !Lowercase)
        {
            return text;
        }

        if (Ascii.IsValid(text))
        {
            return NormalizeAscii(text, scratch);
        }

        // Stage 1: cleaning, CJK spacing and (when stripping accents) canonical decomposition, as code points.
        var cps = scratch.CodePoints;
        var n = 0;
        for (var i = 0; i < text.Length;)
        {
            var cp = UnicodeData.CodePointAt(text, i, out var width);
            i += width;
            var flags = UnicodeData.Flags(cp);
            if (CleanText)
            {
                if (cp is 0 or 0xFFFD || (flags & UnicodeData.CleanRemove) != 0)
                {
                    continue;
                }

                if ((flags & UnicodeData.CleanToSpace) != 0)
                {
                    cp = ' ';
                }
            }

            if (HandleChineseChars && UnicodeData.IsChinese(cp))
            {
                UnicodeData.EnsureCapacity(ref cps, n + 1);
                cps[n++] = ' ';
                Append(cp, ref cps, ref n);
                UnicodeData.EnsureCapacity(ref cps, n + 1);
                cps[n++] = ' ';
            }
            else
            {
                Append(cp, ref cps, ref n);
            }
        }

        scratch.CodePoints = cps;
        if (StripAccents)
        {
            UnicodeData.CanonicalOrder(cps.AsSpan(0, n));
        }

        // Stage 2: drop nonspacing marks, lower-case, back to UTF-16.
        UnicodeData.EnsureCapacity(ref scratch.Normalized, 2 * n);
        var output = scratch.Normalized;
        var length = 0;
        for (var k = 0; k < n; k++)
        {
            var cp = cps[k];
            if (StripAccents && (UnicodeData.Flags(cp) & UnicodeData.NonspacingMark) != 0)
            {
                continue;
            }

            if (Lowercase)
            {
                if (cp == 0x130)
                {
                    // Rust lower-cases U+0130 to "i\u0307".
                    output[length++] = 'i';
                    output[length++] = '\u0307';
                    continue;
                }

                cp = UnicodeData.ToLower(cp);
            }

            length += UnicodeData.WriteUtf16(cp, output, length);
        }

        return output.AsSpan(0, length);
    }

    private void Append(int cp, ref int[] cps, ref int n)
    {
        if (StripAccents)
        {
            UnicodeData.AppendDecomposition(cp, ref cps, ref n);
        }
        else
        {
            UnicodeData.EnsureCapacity(ref cps, n + 1);
            cps[n++] = cp;
        }
    }

    private ReadOnlySpan<char> NormalizeAscii(ReadOnlySpan<char> text, Scratch scratch)
    {
        UnicodeData.EnsureCapacity(ref scratch.Normalized, text.Length);
        var output = scratch.Normalized;
        var length = 0;
        foreach (var c in text)
        {
            var ch = c;
            if (CleanText)
            {
                var flags = UnicodeData.Flags(ch);
                if (ch == 0 || (flags & UnicodeData.CleanRemove) != 0)
                {
                    continue;
                }

                if ((flags & UnicodeData.CleanToSpace) != 0)
                {
                    ch = ' ';
                }
            }

            if (Lowercase && ch is >= 'A' and <= 'Z')
            {
                ch = (char)(ch + 32);
            }

            output[length++] = ch;
        }

        return output.AsSpan(0, length);
    }
}
