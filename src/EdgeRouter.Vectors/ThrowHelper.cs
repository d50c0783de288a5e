using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace EdgeRouter.Vectors;

/// <summary>Throw helpers: keep the exception construction out of the (inlinable) hot methods.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void LengthsDiffer() => throw CreateArgument("The vectors must have the same length.");

    [DoesNotReturn]
    public static void DestinationTooShort() => throw CreateArgument("The destination is shorter than the source.");

    [DoesNotReturn]
    public static void Int8TooLong(int length) =>
        throw CreateArgument($"An int8 dot product of {length} elements could overflow Int32; the limit is 131071.");

    [DoesNotReturn]
    public static void WrongDimension(string parameter, int expected, int actual) =>
        throw new ArgumentException($"Expected a vector of {expected} dimensions, got {actual}.", parameter);

    [DoesNotReturn]
    public static void NotFinite(string parameter) =>
        throw new ArgumentException("The vector has zero length or a non-finite component; it cannot be normalised.", parameter);

    [DoesNotReturn]
    public static void KOutOfRange(int k) =>
        throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");

    [DoesNotReturn]
    public static void ResultsTooShort(int k, int length) =>
        throw new ArgumentException($"The results span holds {length} entries; k = {k} needs at least that many.", "results");

    [DoesNotReturn]
    public static void Disposed(string type) => throw new ObjectDisposedException(type);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ArgumentException CreateArgument(string message) => new(message);
}
