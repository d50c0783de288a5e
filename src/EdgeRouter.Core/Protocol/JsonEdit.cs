using System.Buffers;

namespace EdgeRouter.Protocol;

/// <summary>Replace <see cref="Length"/> bytes at <see cref="Start"/> with <see cref="Replacement"/> (an insert when Length is 0).</summary>
/// <param name="Start">Offset in the source document.</param>
/// <param name="Length">Bytes removed.</param>
/// <param name="Replacement">Bytes written in their place.</param>
public readonly record struct JsonEdit(int Start, int Length, ReadOnlyMemory<byte> Replacement)
{
    /// <summary>
    /// Writes <paramref name="source"/> with <paramref name="edits"/> applied. Edits must be sorted by
    /// <see cref="Start"/> and must not overlap. Bytes outside the edits are copied unchanged, which is what keeps
    /// forwarding byte-faithful.
    /// </summary>
    public static void Apply(ReadOnlySpan<byte> source, ReadOnlySpan<JsonEdit> edits, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var position = 0;
        foreach (var edit in edits)
        {
            if (edit.Start < position)
            {
                throw new ArgumentException("Edits must be sorted and must not overlap.", nameof(edits));
            }

            output.Write(source[position..edit.Start]);
            output.Write(edit.Replacement.Span);
            position = edit.Start + edit.Length;
        }

        output.Write(source[position..]);
    }
}
