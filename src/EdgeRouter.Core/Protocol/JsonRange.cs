namespace EdgeRouter.Protocol;

/// <summary>A byte range of a JSON value inside a UTF-8 document; <see cref="None"/> when the value is absent.</summary>
/// <param name="Start">Offset of the value's first byte, or -1.</param>
/// <param name="Length">Length in bytes.</param>
public readonly record struct JsonRange(int Start, int Length)
{
    /// <summary>An absent value.</summary>
    public static JsonRange None => new(-1, 0);

    /// <summary>True when the value is present.</summary>
    public bool IsPresent => Start >= 0;

    /// <summary>Offset just past the value.</summary>
    public int End => Start + Length;

    /// <summary>The value's bytes in <paramref name="document"/>.</summary>
    public ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> document) => IsPresent ? document.Slice(Start, Length) : default;
}
