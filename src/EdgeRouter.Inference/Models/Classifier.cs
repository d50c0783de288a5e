using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using EdgeRouter.Inference.OnnxRuntime;
using EdgeRouter.Pipeline;

namespace EdgeRouter.Inference.Models;

/// <summary>
/// A classifier head: maps a sentence embedding to one probability per label with a small ONNX model. Like the
/// encoder, each concurrent caller borrows preallocated native buffers and tensors, so a call allocates nothing.
/// Thread-safe.
/// </summary>
public sealed unsafe class Classifier : ITextClassifier, IDisposable
{
    private readonly OnnxSession _session;
    private readonly int[] _output;
    private readonly ConcurrentStack<Worker> _idle = new();
    private readonly ConcurrentBag<Worker> _all = [];
    private bool _disposed;

    private Classifier(string name, string encoder, OnnxSession session, ClassifierManifest manifest, int dimensions, int outputIndex)
    {
        Name = name;
        Encoder = encoder;
        _session = session;
        Manifest = manifest;
        Dimensions = dimensions;
        _output = [outputIndex];
    }

    /// <summary>The head's name in configuration.</summary>
    public string Name { get; }

    /// <summary>The encoder whose embeddings it reads.</summary>
    public string Encoder { get; }

    /// <summary>Length of the embeddings it reads.</summary>
    public int Dimensions { get; }

    /// <summary>Class labels, in the order <see cref="Predict"/> writes probabilities.</summary>
    public IReadOnlyList<string> Labels => Manifest.Labels;

    /// <summary>The manifest the head was loaded with.</summary>
    public ClassifierManifest Manifest { get; }

    /// <summary>Loads the head in <paramref name="directory"/> and checks it reads vectors of <paramref name="dimensions"/>.</summary>
    /// <param name="name">The configured name, for messages.</param>
    /// <param name="runtime">The loaded ONNX Runtime.</param>
    /// <param name="directory">The head directory.</param>
    /// <param name="settings">Session options.</param>
    /// <param name="dimensions">Length of the encoder's vectors.</param>
    /// <param name="encoder">Name of the encoder the head reads.</param>
    /// <exception cref="InvalidDataException">The manifest or model does not fit; the message says why.</exception>
    /// <exception cref="OnnxRuntimeException">The model cannot be loaded or run.</exception>
    public static Classifier Load(string name, OnnxRuntimeLibrary runtime, string directory, SessionSettings settings, int dimensions, string encoder = "")
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var manifest = ClassifierManifest.Read(directory);
        if (manifest.Labels.Count == 0)
        {
            throw new InvalidDataException($"Classifier '{name}': {ClassifierManifest.FileName} lists no labels.");
        }

        if (manifest.Activation is not ("softmax" or "sigmoid" or "none"))
        {
            throw new InvalidDataException($"Classifier '{name}': activation must be 'softmax', 'sigmoid' or 'none', got '{manifest.Activation}'.");
        }

        var session = OnnxSession.Load(runtime, Path.Combine(directory, manifest.Model), settings);
        try
        {
            if (session.Inputs.Count != 1 || session.Inputs[0].Name != manifest.Input || session.Inputs[0].ElementType != TensorElementType.Float)
            {
                throw new InvalidDataException(
                    $"Classifier '{name}': the model must take one float input '{manifest.Input}', it takes {string.Join(", ", session.Inputs.Select(i => $"{i.Name} ({i.ElementType})"))}.");
            }

            var inputDims = session.Inputs[0].Shape;
            if (inputDims.Count != 2 || (inputDims[1] > 0 && inputDims[1] != dimensions))
            {
                throw new InvalidDataException(
                    $"Classifier '{name}': input '{manifest.Input}' has shape [{string.Join(", ", inputDims)}]; the encoder gives [1, {dimensions}].");
            }

            var output = session.OutputIndex(manifest.Output);
            if (output < 0)
            {
                throw new InvalidDataException(
                    $"Classifier '{name}': the model has no output '{manifest.Output}' (it has {string.Join(", ", session.Outputs.Select(o => o.Name))}).");
            }

            var outputDims = session.Outputs[output].Shape;
            if (outputDims.Count != 2 || (outputDims[1] > 0 && outputDims[1] != manifest.Labels.Count))
            {
                throw new InvalidDataException(
                    $"Classifier '{name}': output '{manifest.Output}' has shape [{string.Join(", ", outputDims)}] but {manifest.Labels.Count} labels are listed.");
            }

            var classifier = new Classifier(name, encoder, session, manifest, dimensions, output);
            Span<float> probe = stackalloc float[dimensions];
            Span<float> scores = stackalloc float[manifest.Labels.Count];
            classifier.Predict(probe, scores);
            return classifier;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Writes one probability per label for <paramref name="embedding"/> into <paramref name="probabilities"/>.</summary>
    public void Predict(ReadOnlySpan<float> embedding, Span<float> probabilities)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (embedding.Length != Dimensions)
        {
            throw new ArgumentException($"Expected an embedding of {Dimensions} floats, got {embedding.Length}.", nameof(embedding));
        }

        var labels = Labels.Count;
        if (probabilities.Length < labels)
        {
            throw new ArgumentException($"The destination holds {probabilities.Length} floats; {labels} are needed.", nameof(probabilities));
        }

        if (!_idle.TryPop(out var worker))
        {
            worker = new Worker(this);
            _all.Add(worker);
        }

        try
        {
            embedding.CopyTo(new Span<float>(worker.Input, Dimensions));
            Span<nint> outputs = [worker.OutputValue.Pointer];
            _session.Run([worker.InputValue.Pointer], _output, outputs);
            var scores = new ReadOnlySpan<float>(worker.Output, labels);
            var destination = probabilities[..labels];
            switch (Manifest.Activation)
            {
                case "softmax":
                    TensorPrimitives.SoftMax(scores, destination);
                    break;
                case "sigmoid":
                    TensorPrimitives.Sigmoid(scores, destination);
                    break;
                default:
                    scores.CopyTo(destination);
                    break;
            }
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

    private sealed class Worker : IDisposable
    {
        public Worker(Classifier classifier)
        {
            var runtime = classifier._session.Runtime;
            var dims = classifier.Dimensions;
            var labels = classifier.Labels.Count;
            Input = (float*)NativeMemory.AlignedAlloc((nuint)(dims * sizeof(float)), 64);
            Output = (float*)NativeMemory.AlignedAlloc((nuint)(labels * sizeof(float)), 64);
            InputValue = OrtTensors.Wrap(runtime, Input, (nuint)(dims * sizeof(float)), [1, dims], TensorElementType.Float);
            OutputValue = OrtTensors.Wrap(runtime, Output, (nuint)(labels * sizeof(float)), [1, labels], TensorElementType.Float);
        }

        public float* Input { get; }

        public float* Output { get; }

        public OrtValueHandle InputValue { get; }

        public OrtValueHandle OutputValue { get; }

        public void Dispose()
        {
            InputValue.Dispose();
            OutputValue.Dispose();
            NativeMemory.AlignedFree(Input);
            NativeMemory.AlignedFree(Output);
        }
    }
}
