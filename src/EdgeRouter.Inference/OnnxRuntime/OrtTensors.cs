namespace EdgeRouter.Inference.OnnxRuntime;

/// <summary>Creates tensors that wrap memory the caller owns (no copy); the memory must outlive the tensor.</summary>
internal static unsafe class OrtTensors
{
    public static OrtValueHandle Wrap(OnnxRuntimeLibrary runtime, void* data, nuint bytes, ReadOnlySpan<long> shape, TensorElementType type)
    {
        var value = new OrtValueHandle();
        nint pointer;
        fixed (long* dims = shape)
        {
            Ort.Check(Ort.Api->CreateTensorWithDataAsOrtValue(runtime.CpuMemory.Pointer, data, bytes, dims, (nuint)shape.Length, (int)type, &pointer));
        }

        value.Attach(pointer);
        return value;
    }

    /// <summary>The data pointer and shape of a tensor ONNX Runtime allocated.</summary>
    public static float* ReadFloats(nint value, Span<long> shape, out int rank)
    {
        var api = Ort.Api;
        void* data;
        Ort.Check(api->GetTensorMutableData(value, &data));
        using var info = new OrtTensorTypeAndShapeInfoHandle();
        nint infoPointer;
        Ort.Check(api->GetTensorTypeAndShape(value, &infoPointer));
        info.Attach(infoPointer);
        nuint count;
        Ort.Check(api->GetDimensionsCount(infoPointer, &count));
        rank = (int)count;
        if (rank > shape.Length)
        {
            throw new OnnxRuntimeException($"Output has rank {rank}; at most {shape.Length} is supported.");
        }

        fixed (long* dims = shape)
        {
            Ort.Check(api->GetDimensions(infoPointer, dims, count));
        }

        return (float*)data;
    }
}
