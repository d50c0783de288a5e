namespace EdgeRouter.Dispatch.Forwarding;

/// <summary>Splits a server-sent event stream into events (RFC: an event ends at a blank line).</summary>
public static class SseFraming
{
    /// <summary>
    /// Length of the first complete event in <paramref name="data"/>, blank line included, or -1 when the event is
    /// not complete yet. Accepts <c>\n</c> and <c>\r\n</c> line endings.
    /// </summary>
    public static int CompleteEventLength(ReadOnlySpan<byte> data)
    {
        var offset = 0;
        while (true)
        {
            var newline = data[offset..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                return -1;
            }

            var i = offset + newline;
            if (i + 1 < data.Length && data[i + 1] == (byte)'\n')
            {
                return i + 2;
            }

            if (i + 2 < data.Length && data[i + 1] == (byte)'\r' && data[i + 2] == (byte)'\n')
            {
                return i + 3;
            }

            if (i + 2 >= data.Length && i + 1 < data.Length && data[i + 1] == (byte)'\r')
            {
                return -1; // "\n\r" at the end: wait for the next byte
            }

            offset = i + 1;
        }
    }

    /// <summary>
    /// Finds the payload of the event's only <c>data:</c> line. Returns false when the event has no data line or
    /// more than one (such events are relayed untouched).
    /// </summary>
    public static bool TryGetSingleData(ReadOnlySpan<byte> ev, out int start, out int length)
    {
        start = -1;
        length = 0;
        var position = 0;
        while (position < ev.Length)
        {
            var lineEnd = ev[position..].IndexOf((byte)'\n');
            var line = lineEnd < 0 ? ev[position..] : ev.Slice(position, lineEnd);
            if (line.EndsWith("\r"u8))
            {
                line = line[..^1];
            }

            if (line.StartsWith("data:"u8))
            {
                if (start >= 0)
                {
                    return false;
                }

                var payload = 5;
                if (line.Length > 5 && line[5] == (byte)' ')
                {
                    payload = 6;
                }

                start = position + payload;
                length = line.Length - payload;
            }

            if (lineEnd < 0)
            {
                break;
            }

            position += lineEnd + 1;
        }

        return start >= 0;
    }
}
