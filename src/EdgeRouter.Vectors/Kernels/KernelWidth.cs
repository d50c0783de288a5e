namespace EdgeRouter.Vectors.Kernels;

/// <summary>The widest SIMD register width the kernels use on this machine.</summary>
public enum KernelWidth
{
    /// <summary>No SIMD: plain scalar loops.</summary>
    Scalar = 0,

    /// <summary>128-bit vectors (SSE on x64, NEON on ARM64).</summary>
    Vector128 = 128,

    /// <summary>256-bit vectors (AVX2).</summary>
    Vector256 = 256,

    /// <summary>512-bit vectors (AVX-512).</summary>
    Vector512 = 512,
}
