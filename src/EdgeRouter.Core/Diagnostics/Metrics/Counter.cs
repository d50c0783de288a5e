namespace EdgeRouter.Diagnostics.Metrics;

/// <summary>A monotonically increasing value. Thread-safe and lock-free.</summary>
public sealed class Counter
{
    private long _bits; // a double stored as bits so it can be updated with Interlocked

    /// <summary>The current value.</summary>
    public double Value => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _bits));

    /// <summary>Adds one.</summary>
    public void Increment() => Add(1);

    /// <summary>Adds <paramref name="amount"/>; negative amounts are ignored.</summary>
    public void Add(double amount)
    {
        if (!(amount > 0))
        {
            return;
        }

        var current = Interlocked.Read(ref _bits);
        while (true)
        {
            var updated = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(current) + amount);
            var seen = Interlocked.CompareExchange(ref _bits, updated, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
