using System.Runtime.InteropServices;
using System.Text;

namespace EdgeRouter.Inference.OnnxRuntime;

/// <summary>
/// One loaded model: its ONNX Runtime session, its inputs and outputs, and the UTF-8 names the run call needs, kept
/// in native memory for the session's lifetime. <see cref="Run"/> is thread-safe (ONNX Runtime sessions are).
/// </summary>
public sealed unsafe class OnnxSession : IDisposable
{
    private readonly OrtSessionHandle _session;
    private readonly byte** _inputNames;
    private readonly byte** _outputNames;
    private bool _disposed;

    private OnnxSession(OnnxRuntimeLibrary runtime, string path, OrtSessionHandle session, TensorInfo[] inputs, TensorInfo[] outputs)
    {
        Runtime = runtime;
        ModelPath = path;
        _session = session;
        Inputs = inputs;
        Outputs = outputs;
        _inputNames = AllocateNames(inputs);
        _outputNames = AllocateNames(outputs);
    }

    /// <summary>The runtime the session belongs to.</summary>
    public OnnxRuntimeLibrary Runtime { get; }

    /// <summary>The model file.</summary>
    public string ModelPath { get; }

    /// <summary>The model's inputs, in graph order.</summary>
    public IReadOnlyList<TensorInfo> Inputs { get; }

    /// <summary>The model's outputs, in graph order.</summary>
    public IReadOnlyList<TensorInfo> Outputs { get; }

    /// <summary>Loads the model at <paramref name="path"/>.</summary>
    /// <exception cref="OnnxRuntimeException">The file is missing or not a model ONNX Runtime can run.</exception>
    public static OnnxSession Load(OnnxRuntimeLibrary runtime, string path, SessionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(settings);
        if (!File.Exists(path))
        {
            throw new OnnxRuntimeException($"Model file not found: {path}");
        }

        var api = Ort.Api;
        using var options = new OrtSessionOptionsHandle();
        nint optionsPointer;
        Ort.Check(api->CreateSessionOptions(&optionsPointer));
        options.Attach(optionsPointer);
        Ort.Check(api->SetIntraOpNumThreads(optionsPointer, settings.IntraOpThreads));
        Ort.Check(api->SetInterOpNumThreads(optionsPointer, 1));
        Ort.Check(api->SetSessionExecutionMode(optionsPointer, 0)); // sequential
        var level = SessionSettings.OptimizationLevel(settings.GraphOptimization)
            ?? throw new OnnxRuntimeException($"Unknown graph optimisation level '{settings.GraphOptimization}'.");
        Ort.Check(api->SetSessionGraphOptimizationLevel(optionsPointer, level));
        Ort.Check(settings.MemoryArena ? api->EnableCpuMemArena(optionsPointer) : api->DisableCpuMemArena(optionsPointer));
        // Worker threads that spin while idle burn a core the gateway needs for I/O.
        fixed (byte* key = "session.intra_op.allow_spinning\0"u8, value = "0\0"u8)
        {
            Ort.Check(api->AddSessionConfigEntry(optionsPointer, key, value));
        }

        var session = new OrtSessionHandle();
        nint sessionPointer;
        try
        {
            if (OperatingSystem.IsWindows())
            {
                fixed (char* widePath = path)
                {
                    Ort.Check(api->CreateSession(runtime.Environment, widePath, optionsPointer, &sessionPointer));
                }
            }
            else
            {
                var utf8 = Encoding.UTF8.GetBytes(path + "\0");
                fixed (byte* narrowPath = utf8)
                {
                    Ort.Check(api->CreateSession(runtime.Environment, narrowPath, optionsPointer, &sessionPointer));
                }
            }
        }
        catch (OnnxRuntimeException ex)
        {
            throw new OnnxRuntimeException(ex.ErrorCode, $"Cannot load model {path}: {ex.Message}");
        }

        session.Attach(sessionPointer);
        try
        {
            return new OnnxSession(runtime, path, session, Describe(sessionPointer, inputs: true), Describe(sessionPointer, inputs: false));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Index of the input named <paramref name="name"/>, or -1.</summary>
    public int InputIndex(string name) => IndexOf(Inputs, name);

    /// <summary>Index of the output named <paramref name="name"/>, or -1.</summary>
    public int OutputIndex(string name) => IndexOf(Outputs, name);

    /// <summary>
    /// Runs the model. <paramref name="inputs"/> holds one <c>OrtValue*</c> per model input, in graph order;
    /// <paramref name="outputs"/> one per requested output (<paramref name="outputIndices"/>), either preallocated
    /// (ONNX Runtime writes into it) or 0 (ONNX Runtime allocates; the caller releases it).
    /// </summary>
    internal void Run(ReadOnlySpan<nint> inputs, ReadOnlySpan<int> outputIndices, Span<nint> outputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (inputs.Length != Inputs.Count)
        {
            throw new ArgumentException($"The model takes {Inputs.Count} inputs, got {inputs.Length}.", nameof(inputs));
        }

        var names = stackalloc byte*[outputIndices.Length];
        for (var i = 0; i < outputIndices.Length; i++)
        {
            names[i] = _outputNames[outputIndices[i]];
        }

        var added = false;
        _session.DangerousAddRef(ref added);
        try
        {
            fixed (nint* inputValues = inputs)
            fixed (nint* outputValues = outputs)
            {
                Ort.Check(Ort.Api->Run(_session.Pointer, 0, _inputNames, inputValues, (nuint)inputs.Length,
                    names, (nuint)outputIndices.Length, outputValues));
            }
        }
        finally
        {
            if (added)
            {
                _session.DangerousRelease();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _session.Dispose();
        FreeNames(_inputNames, Inputs.Count);
        FreeNames(_outputNames, Outputs.Count);
    }

    private static int IndexOf(IReadOnlyList<TensorInfo> tensors, string name)
    {
        for (var i = 0; i < tensors.Count; i++)
        {
            if (tensors[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static TensorInfo[] Describe(nint session, bool inputs)
    {
        var api = Ort.Api;
        nuint count;
        Ort.Check(inputs ? api->SessionGetInputCount(session, &count) : api->SessionGetOutputCount(session, &count));
        nint allocator;
        Ort.Check(api->GetAllocatorWithDefaultOptions(&allocator));
        var result = new TensorInfo[(int)count];
        for (nuint i = 0; i < count; i++)
        {
            byte* rawName;
            Ort.Check(inputs ? api->SessionGetInputName(session, i, allocator, &rawName) : api->SessionGetOutputName(session, i, allocator, &rawName));
            string name;
            try
            {
                name = Marshal.PtrToStringUTF8((nint)rawName) ?? "";
            }
            finally
            {
                Ort.Check(api->AllocatorFree(allocator, rawName));
            }

            using var typeInfo = new OrtTypeInfoHandle();
            nint typeInfoPointer;
            Ort.Check(inputs ? api->SessionGetInputTypeInfo(session, i, &typeInfoPointer) : api->SessionGetOutputTypeInfo(session, i, &typeInfoPointer));
            typeInfo.Attach(typeInfoPointer);
            nint tensorInfo; // owned by typeInfo
            Ort.Check(api->CastTypeInfoToTensorInfo(typeInfoPointer, &tensorInfo));
            if (tensorInfo == 0)
            {
                result[(int)i] = new TensorInfo(name, TensorElementType.Other, []);
                continue;
            }

            int elementType;
            Ort.Check(api->GetTensorElementType(tensorInfo, &elementType));
            nuint rank;
            Ort.Check(api->GetDimensionsCount(tensorInfo, &rank));
            var shape = new long[(int)rank];
            fixed (long* dims = shape)
            {
                Ort.Check(api->GetDimensions(tensorInfo, dims, rank));
            }

            var type = elementType switch
            {
                1 => TensorElementType.Float,
                6 => TensorElementType.Int32,
                7 => TensorElementType.Int64,
                _ => TensorElementType.Other,
            };
            result[(int)i] = new TensorInfo(name, type, shape);
        }

        return result;
    }

    private static byte** AllocateNames(IReadOnlyList<TensorInfo> tensors)
    {
        var names = (byte**)NativeMemory.Alloc((nuint)Math.Max(1, tensors.Count), (nuint)sizeof(byte*));
        for (var i = 0; i < tensors.Count; i++)
        {
            var utf8 = Encoding.UTF8.GetBytes(tensors[i].Name);
            var copy = (byte*)NativeMemory.Alloc((nuint)utf8.Length + 1);
            utf8.CopyTo(new Span<byte>(copy, utf8.Length));
            copy[utf8.Length] = 0;
            names[i] = copy;
        }

        return names;
    }

    private static void FreeNames(byte** names, int count)
    {
        for (var i = 0; i < count; i++)
        {
            NativeMemory.Free(names[i]);
        }

        NativeMemory.Free(names);
    }
}
