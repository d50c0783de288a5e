using System.Text;

namespace EdgeRouter.Simulator;

/// <summary>
/// The deterministic answer text: words drawn by an xorshift64 generator from a fixed list of 64 plain English
/// words, one word per token.
/// </summary>
internal static class AnswerWords
{
    private static readonly string[] Words =
    [
        "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog",
        "river", "mountain", "light", "signal", "router", "gateway", "answer", "model",
        "token", "stream", "cloud", "stone", "garden", "window", "paper", "silver",
        "green", "ocean", "forest", "bridge", "engine", "music", "story", "simple",
        "steady", "bright", "quiet", "rapid", "gentle", "clear", "north", "south",
        "east", "west", "morning", "evening", "winter", "summer", "coffee", "table",
        "letter", "number", "circle", "square", "market", "harbor", "island", "valley",
        "pencil", "orange", "yellow", "purple", "little", "golden", "city", "road",
    ];

    // UTF-8 forms, plain and with the leading space later stream chunks carry.
    private static readonly byte[][] Plain = [.. Words.Select(Encoding.UTF8.GetBytes)];
    private static readonly byte[][] Spaced = [.. Words.Select(w => Encoding.UTF8.GetBytes(" " + w))];

    /// <summary>Longest word in bytes, plus its separating space.</summary>
    public static readonly int MaxSpacedLength = Spaced.Max(w => w.Length);

    /// <summary>Starts the generator for one choice; a zero state would stay zero, so it is replaced.</summary>
    public static ulong Seed(ulong hash) => hash == 0 ? 0x9E3779B97F4A7C15 : hash;

    /// <summary>The next word's UTF-8 (with a leading space unless <paramref name="first"/>); advances <paramref name="state"/>.</summary>
    public static byte[] Next(ref ulong state, bool first)
    {
        var x = state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        state = x;
        var index = (int)(x >> 58);
        return first ? Plain[index] : Spaced[index];
    }

    /// <summary>Writes <paramref name="tokens"/> words joined by single spaces; returns the bytes written.</summary>
    public static int Write(ulong seed, int tokens, Span<byte> destination)
    {
        var state = Seed(seed);
        var written = 0;
        for (var k = 0; k < tokens; k++)
        {
            var word = Next(ref state, k == 0);
            word.CopyTo(destination[written..]);
            written += word.Length;
        }

        return written;
    }
}
