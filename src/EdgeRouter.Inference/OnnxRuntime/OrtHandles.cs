using System.Runtime.InteropServices;

namespace EdgeRouter.Inference.OnnxRuntime;

/// <summary>Base of the handles to ONNX Runtime objects: invalid when null, released exactly once.</summary>
internal abstract class OrtHandle : SafeHandle
{
    protected OrtHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>The raw pointer, for passing to native calls while the handle is alive.</summary>
    public nint Pointer => handle;

    /// <summary>Takes ownership of <paramref name="pointer"/>.</summary>
    public void Attach(nint pointer) => SetHandle(pointer);
}

/// <summary>An <c>OrtEnv*</c>.</summary>
internal sealed unsafe class OrtEnvHandle : OrtHandle
{
    protected override bool ReleaseHandle()
    {
        Ort.Api->ReleaseEnv(handle);
        return true;
    }
}

/// <summary>An <c>OrtSessionOptions*</c>.</summary>
internal sealed unsafe class OrtSessionOptionsHandle : OrtHandle
{
    protected override bool ReleaseHandle()
    {
        Ort.Api->ReleaseSessionOptions(handle);
        return true;
    }
}

/// <summary>An <c>OrtSession*</c>.</summary>
internal sealed unsafe class OrtSessionHandle : OrtHandle
{
    protected override bool ReleaseHandle()
    {
        Ort.Api->ReleaseSession(handle);
        return true;
    }
}

/// <summary>An <c>OrtMemoryInfo*</c>.</summary>
internal sealed unsafe class OrtMemoryInfoHandle : OrtHandle
{
    protected override bool ReleaseHandle()
    {
        Ort.Api->ReleaseMemoryInfo(handle);
        return true;
    }
}

/// <summary>An <c>OrtValue*</c> (a tensor).</summary>
internal sealed unsafe class OrtValueHandle : OrtHandle
{
    protected override bool ReleaseHandle()
    {
        Ort.Api->ReleaseValue(handle);
        return true;
    }
}

/// <summary>An <c>OrtTypeInfo*</c>.</summary>
internal sealed unsafe class OrtTypeInfoHandle : OrtHandle
{
    protected override bool ReleaseHandle()
    {
        Ort.Api->ReleaseTypeInfo(handle);
        return true;
    }
}

/// <summary>An <c>OrtTensorTypeAndShapeInfo*</c> that the caller owns.</summary>
internal sealed unsafe class OrtTensorTypeAndShapeInfoHandle : OrtHandle
{
    protected override bool ReleaseHandle()
    {
        Ort.Api->ReleaseTensorTypeAndShapeInfo(handle);
        return true;
    }
}
