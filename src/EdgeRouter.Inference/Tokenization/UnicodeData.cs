using System.Runtime.CompilerServices;

namespace EdgeRouter.Inference.Tokenization;

/// <summary>
/// Code point properties and canonical normalization (NFD / NFC) with the exact data Hugging Face <c>tokenizers</c>
/// uses (see <see cref="UnicodeTables"/>). <see cref="string.Normalize()"/> cannot be used: the project runs with
/// invariant globalization, where it leaves non-ASCII text unchanged, and its Unicode version differs anyway.
/// </summary>
internal static class UnicodeData
{
    /// <summary>Removed by BERT text cleaning (Cc/Cf/Co, as <c>unicode_categories</c> classifies them).</summary>
    public const ushort CleanRemove = 1;
    /// <summary>Replaced by a space by BERT text cleaning.</summary>
    public const ushort CleanToSpace = 2;
    /// <summary>Unicode White_Space (Rust <c>char::is_whitespace</c>, regex <c>\s</c>).</summary>
    public const ushort Whitespace = 4;
    /// <summary>BERT punctuation: ASCII punctuation or Unicode category P*.</summary>
    public const ushort BertPunctuation = 8;
    /// <summary>Nonspacing mark (Mn), dropped by accent stripping.</summary>
    public const ushort NonspacingMark = 16;
    /// <summary>GPT-2 split regex: <c>\p{L}</c>.</summary>
    public const ushort RegexLetter = 32;
    /// <summary>GPT-2 split regex: <c>\p{N}</c>.</summary>
    public const ushort RegexNumber = 64;
    /// <summary>GPT-2 split regex: <c>\s</c>.</summary>
    public const ushort RegexSpace = 128;
    /// <summary>Has a canonical decomposition.</summary>
    public const ushort HasDecomposition = 256;
    /// <summary>Changes when lower-cased.</summary>
    public const ushort HasLowercase = 512;
    /// <summary>Canonical combining class is not zero.</summary>
    public const ushort NonStarter = 1024;
    /// <summary>Is the second code point of some canonical composition.</summary>
    public const ushort ComposesAsSecond = 2048;

    private const int BlockShift = 7;
    private const int BlockSize = 1 << BlockShift;
    private const int MaxCodePoint = 0x10FFFF;

    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    private static readonly ushort[] FlagIndex;
    private static readonly ushort[] FlagBlocks;
    private static readonly ushort[] CccIndex;
    private static readonly byte[] CccBlocks;
    private static readonly ushort[] AsciiFlags;
    private static readonly Dictionary<int, int> DecompositionIndex;
    private static readonly int[] DecompositionData;
    private static readonly Dictionary<int, int> LowercaseMap;
    private static readonly Dictionary<long, int> CompositionMap;

#pragma warning disable CA1810 // Initialize reference type static fields inline: the tables are built together.
    static UnicodeData()
#pragma warning restore CA1810
    {
        (FlagIndex, FlagBlocks) = BuildTwoLevel(UnicodeTables.PropertyRuns, v => (ushort)v);
        (CccIndex, CccBlocks) = BuildTwoLevel(UnicodeTables.CombiningClassRuns, v => (byte)v);
        AsciiFlags = new ushort[128];
        for (var c = 0; c < 128; c++)
        {
            AsciiFlags[c] = LookupFlags(c);
        }

        var decompositions = UnicodeTables.Decompositions;
        DecompositionData = decompositions.ToArray();
        DecompositionIndex = new Dictionary<int, int>(2100);
        for (var i = 0; i < decompositions.Length; i += 2 + decompositions[i + 1])
        {
            DecompositionIndex[decompositions[i]] = i + 1;
        }

        var lower = UnicodeTables.Lowercase;
        LowercaseMap = new Dictionary<int, int>(lower.Length / 2);
        for (var i = 0; i < lower.Length; i += 2)
        {
            LowercaseMap[lower[i]] = lower[i + 1];
        }

        var compositions = UnicodeTables.Compositions;
        CompositionMap = new Dictionary<long, int>(compositions.Length / 3);
        for (var i = 0; i < compositions.Length; i += 3)
        {
            CompositionMap[PairKey(compositions[i], compositions[i + 1])] = compositions[i + 2];
        }
    }

    private static (ushort[] Index, T[] Blocks) BuildTwoLevel<T>(ReadOnlySpan<int> runs, Func<int, T> convert)
        where T : struct, IEquatable<T>
    {
        var full = new T[MaxCodePoint + 1];
        for (var r = 0; r < runs.Length; r += 2)
        {
            var start = runs[r];
            var end = r + 2 < runs.Length ? runs[r + 2] : MaxCodePoint + 1;
            var value = convert(runs[r + 1]);
            Array.Fill(full, value, start, end - start);
        }

        var blockCount = (MaxCodePoint + 1) >> BlockShift;
        var index = new ushort[blockCount];
        var blocks = new List<T>();
        var byHash = new Dictionary<int, List<ushort>>();
        for (var b = 0; b < blockCount; b++)
        {
            var block = new ReadOnlySpan<T>(full, b << BlockShift, BlockSize);
            var hash = new HashCode();
            foreach (var v in block)
            {
                hash.Add(v);
            }

            var key = hash.ToHashCode();
            if (!byHash.TryGetValue(key, out var candidates))
            {
                candidates = [];
                byHash[key] = candidates;
            }

            var id = ushort.MaxValue;
            foreach (var candidate in candidates)
            {
                if (System.Runtime.InteropServices.CollectionsMarshal.AsSpan(blocks).Slice(candidate << BlockShift, BlockSize).SequenceEqual(block))
                {
                    id = candidate;
                    break;
                }
            }

            if (id == ushort.MaxValue)
            {
                id = (ushort)(blocks.Count >> BlockShift);
                candidates.Add(id);
                blocks.AddRange(block);
            }

            index[b] = id;
        }

        return (index, blocks.ToArray());
    }

    private static ushort LookupFlags(int cp) => FlagBlocks[(FlagIndex[cp >> BlockShift] << BlockShift) | (cp & (BlockSize - 1))];

    /// <summary>Property flags of a code point (0 for surrogates).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Flags(int cp) => cp < 128 ? AsciiFlags[cp] : LookupFlags(cp);

    /// <summary>Canonical combining class of a code point.</summary>
    public static int CombiningClass(int cp) => CccBlocks[(CccIndex[cp >> BlockShift] << BlockShift) | (cp & (BlockSize - 1))];

    /// <summary>True for the code points BERT treats as Chinese characters (CJK ideograph blocks).</summary>
    public static bool IsChinese(int cp) =>
        cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B920 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);

    /// <summary>Simple lower-case mapping (Rust <c>char::to_lowercase</c>, except U+0130 which the caller handles).</summary>
    public static int ToLower(int cp)
    {
        if (cp < 128)
        {
            return cp is >= 'A' and <= 'Z' ? cp + 32 : cp;
        }

        return (Flags(cp) & HasLowercase) != 0 && LowercaseMap.TryGetValue(cp, out var lower) ? lower : cp;
    }

    /// <summary>Reads the code point at <paramref name="index"/>; a lone surrogate reads as U+FFFD.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CodePointAt(ReadOnlySpan<char> s, int index, out int width)
    {
        int c = s[index];
        if ((uint)(c - 0xD800) >= 0x800)
        {
            width = 1;
            return c;
        }

        return SurrogateAt(s, index, c, out width);
    }

    private static int SurrogateAt(ReadOnlySpan<char> s, int index, int c, out int width)
    {
        width = 1;
        if (c <= 0xDBFF && index + 1 < s.Length)
        {
            int low = s[index + 1];
            if ((uint)(low - 0xDC00) < 0x400)
            {
                width = 2;
                return 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
            }
        }

        return 0xFFFD;
    }

    /// <summary>Writes a code point as UTF-16 and returns the number of chars written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteUtf16(int cp, Span<char> destination, int index)
    {
        if (cp < 0x10000)
        {
            destination[index] = (char)cp;
            return 1;
        }

        cp -= 0x10000;
        destination[index] = (char)(0xD800 + (cp >> 10));
        destination[index + 1] = (char)(0xDC00 + (cp & 0x3FF));
        return 2;
    }

    /// <summary>Appends the full canonical decomposition of <paramref name="cp"/> (or the code point itself).</summary>
    public static void AppendDecomposition(int cp, ref int[] buffer, ref int count)
    {
        EnsureCapacity(ref buffer, count + 4);
        if ((Flags(cp) & HasDecomposition) == 0)
        {
            buffer[count++] = cp;
            return;
        }

        var s = cp - SBase;
        if ((uint)s < SCount)
        {
            buffer[count++] = LBase + (s / NCount);
            buffer[count++] = VBase + (s % NCount / TCount);
            var t = s % TCount;
            if (t != 0)
            {
                buffer[count++] = TBase + t;
            }

            return;
        }

        var at = DecompositionIndex[cp];
        var length = DecompositionData[at];
        EnsureCapacity(ref buffer, count + length);
        Array.Copy(DecompositionData, at + 1, buffer, count, length);
        count += length;
    }

    /// <summary>Canonical ordering: stable sort of every run of non-starters by combining class.</summary>
    public static void CanonicalOrder(Span<int> codePoints)
    {
        for (var i = 1; i < codePoints.Length; i++)
        {
            var cp = codePoints[i];
            if ((Flags(cp) & NonStarter) == 0)
            {
                continue;
            }

            var ccc = CombiningClass(cp);
            var j = i - 1;
            while (j >= 0)
            {
                var prev = codePoints[j];
                if ((Flags(prev) & NonStarter) == 0 || CombiningClass(prev) <= ccc)
                {
                    break;
                }

                codePoints[j + 1] = prev;
                j--;
            }

            codePoints[j + 1] = cp;
        }
    }

    /// <summary>Canonical composition in place over a canonically ordered decomposition; returns the new length.</summary>
    public static int Compose(Span<int> codePoints)
    {
        if (codePoints.Length == 0)
        {
            return 0;
        }

        var starter = -1;
        var lastClass = -1;
        var write = 0;
        for (var read = 0; read < codePoints.Length; read++)
        {
            var cp = codePoints[read];
            var ccc = CombiningClass(cp);
            if (starter >= 0)
            {
                var blocked = lastClass != -1 && (lastClass == 0 || lastClass >= ccc);
                if (!blocked && (Flags(cp) & ComposesAsSecond) != 0)
                {
                    var composite = ComposePair(codePoints[starter], cp);
                    if (composite >= 0)
                    {
                        codePoints[starter] = composite;
                        continue;
                    }
                }
            }

            if (ccc == 0)
            {
                starter = write;
                lastClass = -1;
            }
            else
            {
                lastClass = ccc;
            }

            codePoints[write++] = cp;
        }

        return write;
    }

    private static int ComposePair(int first, int second)
    {
        var l = first - LBase;
        if ((uint)l < LCount)
        {
            var v = second - VBase;
            return (uint)v < VCount ? SBase + (((l * VCount) + v) * TCount) : -1;
        }

        var s = first - SBase;
        if ((uint)s < SCount && s % TCount == 0)
        {
            var t = second - TBase;
            return t > 0 && t < TCount ? first + t : -1;
        }

        return CompositionMap.TryGetValue(PairKey(first, second), out var composite) ? composite : -1;
    }

    private static long PairKey(int first, int second) => ((long)first << 21) | (uint)second;

    /// <summary>Grows <paramref name="buffer"/> (doubling) so that it holds at least <paramref name="needed"/> items.</summary>
    public static void EnsureCapacity<T>(ref T[] buffer, int needed)
    {
        if (buffer.Length < needed)
        {
            Array.Resize(ref buffer, Math.Max(needed, buffer.Length * 2));
        }
    }
}
