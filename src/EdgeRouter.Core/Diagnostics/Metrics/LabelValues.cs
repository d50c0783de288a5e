namespace EdgeRouter.Diagnostics.Metrics;

/// <summary>Up to three label values identifying one series of a metric family.</summary>
/// <param name="First">First label value, or null.</param>
/// <param name="Second">Second label value, or null.</param>
/// <param name="Third">Third label value, or null.</param>
public readonly record struct LabelValues(string? First = null, string? Second = null, string? Third = null)
{
    /// <summary>The value at <paramref name="index"/> (0–2).</summary>
    public string? this[int index] => index switch
    {
        0 => First,
        1 => Second,
        2 => Third,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };
}
