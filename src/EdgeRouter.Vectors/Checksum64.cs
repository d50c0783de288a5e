using System.Buffers.Binary;
using System.Numerics;

namespace EdgeRouter.Vectors;

/// <summary>
/// A fast 64-bit checksum for snapshots (the XXH64 construction: four multiply-rotate lanes over 32-byte stripes, then
/// an avalanche), used to detect corruption, not tampering. About 10 GB/s, so a 170 MB index costs ~20 ms.
/// </summary>
internal static unsafe class Checksum64
{
    private const ulong P1 = 11400714785074694791UL;
    private const ulong P2 = 14029467366897019727UL;
    private const ulong P3 = 1609587929392839161UL;
    private const ulong P4 = 9650029242287828579UL;
    private const ulong P5 = 2870177450012600261UL;

    public static ulong Compute(ReadOnlySpan<byte> data, ulong seed = 0)
    {
        fixed (byte* p = data)
        {
            return Compute(p, (nuint)data.Length, seed);
        }
    }

    public static ulong Compute(byte* data, nuint length, ulong seed = 0)
    {
        var p = data;
        var end = data + length;
        ulong h;
        if (length >= 32)
        {
            ulong v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
            var limit = end - 32;
            do
            {
                v1 = Round(v1, Read64(p));
                v2 = Round(v2, Read64(p + 8));
                v3 = Round(v3, Read64(p + 16));
                v4 = Round(v4, Read64(p + 24));
                p += 32;
            }
            while (p <= limit);

            h = BitOperations.RotateLeft(v1, 1) + BitOperations.RotateLeft(v2, 7) +
                BitOperations.RotateLeft(v3, 12) + BitOperations.RotateLeft(v4, 18);
            h = Merge(h, v1);
            h = Merge(h, v2);
            h = Merge(h, v3);
            h = Merge(h, v4);
        }
        else
        {
            h = seed + P5;
        }

        h += length;
        for (; p + 8 <= end; p += 8)
        {
            h ^= Round(0, Read64(p));
            h = (BitOperations.RotateLeft(h, 27) * P1) + P4;
        }

        if (p + 4 <= end)
        {
            h ^= BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(p, 4)) * P1;
            h = (BitOperations.RotateLeft(h, 23) * P2) + P3;
            p += 4;
        }

        for (; p < end; p++)
        {
            h ^= *p * P5;
            h = BitOperations.RotateLeft(h, 11) * P1;
        }

        h ^= h >> 33;
        h *= P2;
        h ^= h >> 29;
        h *= P3;
        h ^= h >> 32;
        return h;
    }

    private static ulong Read64(byte* p) => BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(p, 8));

    private static ulong Round(ulong accumulator, ulong input)
    {
        accumulator += input * P2;
        accumulator = BitOperations.RotateLeft(accumulator, 31);
        return accumulator * P1;
    }

    private static ulong Merge(ulong h, ulong v)
    {
        h ^= Round(0, v);
        return (h * P1) + P4;
    }
}
