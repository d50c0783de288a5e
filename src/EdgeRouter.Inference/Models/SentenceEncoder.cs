using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using EdgeRouter.Inference.OnnxRuntime;
using EdgeRouter.Inference.Tokenization;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Inference.Models;

/// <summary>
/// Turns text into a sentence vector with an in-process transformer: tokenize, run the model at batch size 1,
/// pool and normalise. Each concurrent caller borrows a worker holding native input and output buffers and the
/// tensors wrapping them, created once per sequence length, so after warm-up a call allocates nothing and marshals
/// nothing. Thread-safe.
/// </summary>
public sealed unsafe class SentenceEncoder : ITextEncoder, IDisposable
{
    private readonly OnnxSession _session;
    private readonly InputKind[] _inputs;
    private readonly TensorElementType[] _inputTypes;
    private readonly int[] _output;
    private readonly bool _pooled;
    private readonly bool _cls;
    private readonly ConcurrentStack<Worker> _idle = new();
    private readonly ConcurrentBag<Worker> _all = [];
    private readonly Lazy<ITextSimilarity?> _similarity;
    private bool _disposed;

    private SentenceEncoder(string name, string directory, OnnxSession session, Tokenizer tokenizer, EncoderManifest manifest, InputKind[] inputs, int outputIndex)
    {
        Name = name;
        _similarity = new Lazy<ITextSimilarity?>(() => LexicalBlend.TryLoad(directory));
        _session = session;
        Tokenizer = tokenizer;
        Manifest = manifest;
        _inputs = inputs;
        _inputTypes = [.. session.Inputs.Select(i => i.ElementType)];
        _output = [outputIndex];
        _pooled = manifest.Pooling == "pooled";
        _cls = manifest.Pooling == "cls";
        MaxTokens = manifest.MaxTokens;
        Dimensions = (int)session.Outputs[outputIndex].Shape[^1];
    }

    private enum InputKind : byte
    {
        Ids,
        Mask,
        Types,
    }

    /// <summary>The encoder's name in configuration.</summary>
    public string Name { get; }

    /// <summary>Length of the vectors <see cref="Encode"/> writes.</summary>
    public int Dimensions { get; private set; }

    /// <summary>Longest input in tokens (special tokens included).</summary>
    public int MaxTokens { get; }

    /// <summary>The tokenizer the model was trained with.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>The manifest the encoder was loaded with.</summary>
    public EncoderManifest Manifest { get; }

    /// <summary>
    /// The text-pair similarity the model's <c>calibration.json</c> asks for, if it has one. Read on first use: only
    /// stages configured for it pay for parsing its n-gram table, and they ask while the configuration is built.
    /// </summary>
    public ITextSimilarity? Similarity => _similarity.Value;

    /// <summary>The model session (inputs, outputs, file).</summary>
    public OnnxSession Session => _session;

    /// <summary>
    /// Loads the encoder in <paramref name="directory"/> (an <c>encoder.json</c>, or a Hugging Face export) and runs
    /// it once, so a broken model fails here rather than on the first request.
    /// </summary>
    /// <exception cref="InvalidDataException">The directory, manifest or tokenizer is unusable; the message says why.</exception>
    /// <exception cref="OnnxRuntimeException">The model cannot be loaded or run.</exception>
    /// <param name="name">The configured name, for messages.</param>
    /// <param name="runtime">The loaded ONNX Runtime.</param>
    /// <param name="directory">The model directory.</param>
    /// <param name="settings">Session options.</param>
    /// <param name="preferInt8">Use <c>model.int8.onnx</c> (the manifest's model with <c>.int8</c> before the extension) when present.</param>
    public static SentenceEncoder Load(string name, OnnxRuntimeLibrary runtime, string directory, SessionSettings settings, bool preferInt8 = false)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        if (!Directory.Exists(directory))
        {
            throw new InvalidDataException($"Encoder '{name}': directory {directory} not found.");
        }

        var manifest = EncoderManifest.Read(directory);
        if (manifest.Pooling is not ("mean" or "cls" or "pooled"))
        {
            throw new InvalidDataException($"Encoder '{name}': pooling must be 'mean', 'cls' or 'pooled', got '{manifest.Pooling}'.");
        }

        if (manifest.MaxTokens is < 2 or > 8192)
        {
            throw new InvalidDataException($"Encoder '{name}': maxTokens must be in [2, 8192], got {manifest.MaxTokens}.");
        }

        var tokenizer = Tokenizer.Load(FindTokenizer(name, directory, manifest));
        var modelPath = Path.Combine(directory, manifest.Model);
        var int8Path = Path.ChangeExtension(modelPath, ".int8" + Path.GetExtension(modelPath));
        var session = OnnxSession.Load(runtime, preferInt8 && File.Exists(int8Path) ? int8Path : modelPath, settings);
        try
        {
            var inputs = MapInputs(name, session, manifest);
            var output = session.OutputIndex(manifest.Output);
            if (output < 0)
            {
                throw new InvalidDataException(
                    $"Encoder '{name}': the model has no output '{manifest.Output}' (it has {string.Join(", ", session.Outputs.Select(o => o.Name))}).");
            }

            var info = session.Outputs[output];
            var rank = manifest.Pooling == "pooled" ? 2 : 3;
            if (info.ElementType != TensorElementType.Float || info.Shape.Count != rank)
            {
                throw new InvalidDataException(
                    $"Encoder '{name}': output '{info.Name}' must be float with rank {rank} for pooling '{manifest.Pooling}', got {info.ElementType} [{string.Join(", ", info.Shape)}].");
            }

            var encoder = new SentenceEncoder(name, directory, session, tokenizer, manifest, inputs, output);
            encoder.WarmUp();
            return encoder;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes the sentence vector of <paramref name="text"/> into <paramref name="embedding"/> (length
    /// <see cref="Dimensions"/>), unit length when the manifest says so. Returns the number of tokens the model saw.
    /// </summary>
    public int Encode(ReadOnlySpan<char> text, Span<float> embedding)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (embedding.Length < Dimensions)
        {
            throw new ArgumentException($"The destination holds {embedding.Length} floats; {Dimensions} are needed.", nameof(embedding));
        }

        var worker = Rent();
        try
        {
            var count = Tokenizer.Encode(text, worker.Tokens, addSpecialTokens: true);
            count = Math.Max(count, 1);
            worker.WriteTokens(count);
            Span<nint> outputs = [worker.OutputFor(count)];
            _session.Run(worker.InputsFor(count), _output, outputs);
            Pool(worker.Output, count, embedding[..Dimensions]);
            return count;
        }
        finally
        {
            _idle.Push(worker);
        }
    }

    /// <summary>
    /// Runs the model alone on <paramref name="tokens"/> (no tokenizing, no pooling), through the same preallocated
    /// tensors as <see cref="Encode"/>: the floor that measures what tokenizing and pooling add.
    /// </summary>
    internal void RunModel(ReadOnlySpan<int> tokens)
    {
        var worker = Rent();
        try
        {
            tokens.CopyTo(worker.Tokens);
            worker.WriteTokens(tokens.Length);
            Span<nint> outputs = [worker.OutputFor(tokens.Length)];
            _session.Run(worker.InputsFor(tokens.Length), _output, outputs);
        }
        finally
        {
            _idle.Push(worker);
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
        foreach (var worker in _all)
        {
            worker.Dispose();
        }

        _session.Dispose();
    }

    private void Pool(float* output, int count, Span<float> embedding)
    {
        var dims = Dimensions;
        if (_pooled || _cls)
        {
            // A pooled output is the sentence vector; with CLS pooling it is the first token's vector.
            new ReadOnlySpan<float>(output, dims).CopyTo(embedding);
        }
        else
        {
            // Batch size 1 and no padding: every token is real, so the masked mean is the plain mean.
            new ReadOnlySpan<float>(output, dims).CopyTo(embedding);
            for (var t = 1; t < count; t++)
            {
                TensorPrimitives.Add(embedding, new ReadOnlySpan<float>(output + ((nint)t * dims), dims), embedding);
            }

            TensorPrimitives.Multiply(embedding, 1f / count, embedding);
        }

        if (Manifest.Normalize)
        {
            var norm = TensorPrimitives.Norm(embedding);
            if (norm > 0)
            {
                TensorPrimitives.Multiply(embedding, 1f / norm, embedding);
            }
        }
    }

    private Worker Rent()
    {
        if (_idle.TryPop(out var worker))
        {
            return worker;
        }

        worker = new Worker(this);
        _all.Add(worker);
        return worker;
    }

    /// <summary>Runs the model once on a short text; learns the vector size when the graph leaves it open.</summary>
    private void WarmUp()
    {
        if (Dimensions <= 0)
        {
            Dimensions = ProbeDimensions();
        }

        Span<float> probe = stackalloc float[Dimensions];
        Encode("warm up", probe);
    }

    private int ProbeDimensions()
    {
        var tokens = new int[MaxTokens];
        var count = Math.Max(1, Tokenizer.Encode("probe", tokens, addSpecialTokens: true));
        var values = new List<OrtValueHandle>();
        var buffers = new List<nint>();
        try
        {
            Span<nint> inputs = stackalloc nint[_inputs.Length];
            for (var i = 0; i < _inputs.Length; i++)
            {
                var size = _inputTypes[i] == TensorElementType.Int64 ? 8 : 4;
                var buffer = (byte*)NativeMemory.AllocZeroed((nuint)(count * size));
                buffers.Add((nint)buffer);
                for (var t = 0; t < count; t++)
                {
                    long value = _inputs[i] switch { InputKind.Ids => tokens[t], InputKind.Mask => 1, _ => 0 };
                    if (size == 8)
                    {
                        ((long*)buffer)[t] = value;
                    }
                    else
                    {
                        ((int*)buffer)[t] = (int)value;
                    }
                }

                var value2 = OrtTensors.Wrap(_session.Runtime, buffer, (nuint)(count * size), [1, count], _inputTypes[i]);
                values.Add(value2);
                inputs[i] = value2.Pointer;
            }

            Span<nint> outputs = [0];
            _session.Run(inputs, _output, outputs);
            using var result = new OrtValueHandle();
            result.Attach(outputs[0]);
            Span<long> shape = stackalloc long[4];
            OrtTensors.ReadFloats(result.Pointer, shape, out var rank);
            return (int)shape[rank - 1];
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }

            foreach (var buffer in buffers)
            {
                NativeMemory.Free((void*)buffer);
            }
        }
    }

    private static string FindTokenizer(string name, string directory, EncoderManifest manifest)
    {
        if (manifest.Tokenizer is { } file)
        {
            return Path.Combine(directory, file);
        }

        foreach (var candidate in (ReadOnlySpan<string>)["tokenizer.json", "vocab.txt"])
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidDataException($"Encoder '{name}': no tokenizer.json or vocab.txt in {directory}.");
    }

    private static InputKind[] MapInputs(string name, OnnxSession session, EncoderManifest manifest)
    {
        var kinds = new InputKind[session.Inputs.Count];
        for (var i = 0; i < kinds.Length; i++)
        {
            var input = session.Inputs[i];
            InputKind? kind = input.Name == manifest.Inputs.InputIds ? InputKind.Ids
                : input.Name == manifest.Inputs.AttentionMask ? InputKind.Mask
                : input.Name == manifest.Inputs.TokenTypeIds ? InputKind.Types
                : null;
            if (kind is null)
            {
                throw new InvalidDataException(
                    $"Encoder '{name}': model input '{input.Name}' is not one the manifest names (inputIds '{manifest.Inputs.InputIds}', attentionMask '{manifest.Inputs.AttentionMask}', tokenTypeIds '{manifest.Inputs.TokenTypeIds}').");
            }

            if (input.ElementType is not (TensorElementType.Int64 or TensorElementType.Int32) || input.Shape.Count != 2)
            {
                throw new InvalidDataException(
                    $"Encoder '{name}': model input '{input.Name}' must be int64 or int32 [batch, sequence], got {input.ElementType} [{string.Join(", ", input.Shape)}].");
            }

            kinds[i] = kind.Value;
        }

        if (!kinds.Contains(InputKind.Ids))
        {
            throw new InvalidDataException($"Encoder '{name}': the model has no input '{manifest.Inputs.InputIds}' for token ids.");
        }

        return kinds;
    }

    /// <summary>
    /// One caller's buffers: token ids, one native buffer per model input (the mask preset to 1, segment ids to 0),
    /// the output buffer, and the tensors over them for each sequence length seen.
    /// </summary>
    private sealed class Worker : IDisposable
    {
        private readonly SentenceEncoder _encoder;
        private readonly byte*[] _inputBuffers;
        private readonly int[] _elementSizes;
        private readonly OrtValueHandle?[][] _inputValues;
        private readonly OrtValueHandle?[] _outputValues;
        private readonly nint[] _inputPointers;

        public Worker(SentenceEncoder encoder)
        {
            _encoder = encoder;
            var max = encoder.MaxTokens;
            Tokens = new int[max];
            var count = encoder._inputs.Length;
            _inputBuffers = new byte*[count];
            _elementSizes = new int[count];
            for (var i = 0; i < count; i++)
            {
                var size = encoder._inputTypes[i] == TensorElementType.Int64 ? 8 : 4;
                _elementSizes[i] = size;
                _inputBuffers[i] = (byte*)NativeMemory.AlignedAlloc((nuint)(max * size), 64);
                for (var t = 0; t < max; t++)
                {
                    var value = encoder._inputs[i] == InputKind.Mask ? 1 : 0;
                    if (size == 8)
                    {
                        ((long*)_inputBuffers[i])[t] = value;
                    }
                    else
                    {
                        ((int*)_inputBuffers[i])[t] = value;
                    }
                }
            }

            var outputFloats = encoder._pooled ? encoder.Dimensions : max * encoder.Dimensions;
            Output = (float*)NativeMemory.AlignedAlloc((nuint)(outputFloats * sizeof(float)), 64);
            _inputValues = new OrtValueHandle?[max + 1][];
            _outputValues = new OrtValueHandle?[max + 1];
            _inputPointers = new nint[count];
        }

        public int[] Tokens { get; }

        public float* Output { get; }

        /// <summary>Copies the token ids into the id buffer(s).</summary>
        public void WriteTokens(int count)
        {
            for (var i = 0; i < _inputBuffers.Length; i++)
            {
                if (_encoder._inputs[i] != InputKind.Ids)
                {
                    continue;
                }

                if (_elementSizes[i] == 8)
                {
                    var ids = (long*)_inputBuffers[i];
                    for (var t = 0; t < count; t++)
                    {
                        ids[t] = Tokens[t];
                    }
                }
                else
                {
                    Tokens.AsSpan(0, count).CopyTo(new Span<int>(_inputBuffers[i], count));
                }
            }
        }

        public ReadOnlySpan<nint> InputsFor(int count)
        {
            var values = _inputValues[count] ??= new OrtValueHandle?[_inputBuffers.Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] ??= OrtTensors.Wrap(_encoder._session.Runtime, _inputBuffers[i], (nuint)(count * _elementSizes[i]),
                    [1, count], _encoder._inputTypes[i]);
                _inputPointers[i] = values[i]!.Pointer;
            }

            return _inputPointers;
        }

        public nint OutputFor(int count)
        {
            var dims = _encoder.Dimensions;
            var value = _outputValues[count] ??= _encoder._pooled
                ? OrtTensors.Wrap(_encoder._session.Runtime, Output, (nuint)(dims * sizeof(float)), [1, dims], TensorElementType.Float)
                : OrtTensors.Wrap(_encoder._session.Runtime, Output, (nuint)(count * dims * sizeof(float)), [1, count, dims], TensorElementType.Float);
            return value.Pointer;
        }

        public void Dispose()
        {
            foreach (var values in _inputValues)
            {
                if (values is null)
                {
                    continue;
                }

                foreach (var value in values)
                {
                    value?.Dispose();
                }
            }

            foreach (var value in _outputValues)
            {
                value?.Dispose();
            }

            foreach (var buffer in _inputBuffers)
            {
                NativeMemory.AlignedFree(buffer);
            }

            NativeMemory.AlignedFree(Output);
        }
    }
}
