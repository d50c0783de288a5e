using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EdgeRouter.Inference.OnnxRuntime;

/// <summary>
/// The loaded function table and the one checked-call helper every native call goes through: a non-null
/// <c>OrtStatus*</c> is read, released and turned into an <see cref="OnnxRuntimeException"/>.
/// </summary>
internal static unsafe class Ort
{
    private static OrtApi* s_api;

    /// <summary>The function table; valid once <see cref="OnnxRuntimeLibrary"/> has loaded a runtime.</summary>
    public static OrtApi* Api
    {
        get
        {
            var api = s_api;
            if (api is null)
            {
                ThrowNotLoaded();
            }

            return api;
        }
    }

    public static void Initialize(OrtApi* api) => s_api = api;

    /// <summary>Throws when <paramref name="status"/> reports a failure; always releases it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Check(nint status)
    {
        if (status != 0)
        {
            ThrowFromStatus(status);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowFromStatus(nint status)
    {
        var api = s_api;
        int code;
        string message;
        try
        {
            code = api->GetErrorCode(status);
            message = Marshal.PtrToStringUTF8((nint)api->GetErrorMessage(status)) ?? "(no message)";
        }
        finally
        {
            api->ReleaseStatus(status);
        }

        throw new OnnxRuntimeException(code, $"ONNX Runtime error {code}: {message}");
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotLoaded() =>
        throw new InvalidOperationException("ONNX Runtime is not loaded; call OnnxRuntimeLibrary.Load first.");
}
