namespace EdgeRouter.Inference.OnnxRuntime;

/// <summary>Element types of the tensors the gateway exchanges with models (ONNX <c>TensorProto.DataType</c> values).</summary>
public enum TensorElementType
{
    /// <summary>Anything else.</summary>
    Other = 0,

    /// <summary>float32.</summary>
    Float = 1,

    /// <summary>int32.</summary>
    Int32 = 6,

    /// <summary>int64.</summary>
    Int64 = 7,
}

/// <summary>A model input or output: name, element type and shape (-1 for a dynamic dimension).</summary>
/// <param name="Name">Name in the graph.</param>
/// <param name="ElementType">Element type.</param>
/// <param name="Shape">Dimensions; -1 where the model leaves them open.</param>
public sealed record TensorInfo(string Name, TensorElementType ElementType, IReadOnlyList<long> Shape);
