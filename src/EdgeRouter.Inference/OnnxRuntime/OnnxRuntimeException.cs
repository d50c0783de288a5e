namespace EdgeRouter.Inference.OnnxRuntime;

/// <summary>An ONNX Runtime call failed, or the runtime could not be loaded.</summary>
public sealed class OnnxRuntimeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorCode">ONNX Runtime's <c>OrtErrorCode</c>, or -1 when the failure is the gateway's own check.</param>
    /// <param name="message">What failed.</param>
    public OnnxRuntimeException(int errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Creates the exception for a failure that is not an <c>OrtStatus</c>.</summary>
    public OnnxRuntimeException(string message)
        : this(-1, message)
    {
    }

    /// <summary>Creates the exception with an inner cause.</summary>
    public OnnxRuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = -1;
    }

    /// <summary>Creates the exception with no detail.</summary>
    public OnnxRuntimeException()
        : this(-1, "ONNX Runtime failed.")
    {
    }

    /// <summary>ONNX Runtime's error code (<c>ORT_FAIL</c> = 1, <c>ORT_INVALID_ARGUMENT</c> = 2, …), or -1.</summary>
    public int ErrorCode { get; }
}
