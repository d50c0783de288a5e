using System.Runtime.InteropServices;
using EdgeRouter.Inference.OnnxRuntime;

namespace EdgeRouter.Tests.OnnxRuntime;

public unsafe class OnnxSessionTests
{
    private static readonly SessionSettings Settings = new();

    private static OnnxRuntimeLibrary Runtime => OnnxRuntimeLibrary.Load();

    [Fact]
    public void TheBundledRuntimeLoadsFromNextToTheBinary()
    {
        var runtime = Runtime;

        Assert.Equal("1.30.0", runtime.Version);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, OnnxRuntimeLibrary.PlatformFileName), runtime.LibraryPath);
        Assert.Same(runtime, OnnxRuntimeLibrary.Load());
    }

    [Fact]
    public void TheRuntimesTelemetryClientIsNeverStarted()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // ETW there, switched off per environment; the opt-out variable is a Linux and macOS mechanism
        }

        _ = Runtime;

        // Native code must see the opt-out (getenv), and the telemetry client's per-process debug file must not exist.
        Assert.Equal(Environment.GetEnvironmentVariable(OnnxRuntimeLibrary.TelemetryVariable) ?? "1",
            Marshal.PtrToStringUTF8(GetEnv(OnnxRuntimeLibrary.TelemetryVariable)));
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), $"mat-debug-{Environment.ProcessId}.log")));
        Assert.False(File.Exists($"/tmp/mat-debug-{Environment.ProcessId}.log"));
    }

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern nint GetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [Fact]
    public void AMissingLibraryIsReportedWithItsPath()
    {
        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxRuntimeLibrary.LoadFrom("/nonexistent/libonnxruntime.so.1"));

        Assert.Contains("/nonexistent/libonnxruntime.so.1", error.Message, StringComparison.Ordinal);
        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALibraryThatIsNotOnnxRuntimeIsRejected()
    {
        var notOrt = new[] { "/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/aarch64-linux-gnu/libz.so.1" }
            .First(File.Exists);

        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxRuntimeLibrary.LoadFrom(notOrt));

        Assert.Contains("does not export OrtGetApiBase", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASecondLibraryCannotReplaceTheLoadedOne()
    {
        _ = Runtime;

        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxRuntimeLibrary.Load("/somewhere/else/libonnxruntime.so.1"));

        Assert.Contains("already loaded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASessionDescribesItsInputsAndOutputs()
    {
        using var session = OnnxSession.Load(Runtime, Path.Combine(TestFiles.Models, "tiny-encoder", "model.onnx"), Settings);

        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], session.Inputs.Select(i => i.Name));
        Assert.All(session.Inputs, i => Assert.Equal(TensorElementType.Int64, i.ElementType));
        Assert.Equal([1L, -1L], session.Inputs[0].Shape);
        var output = Assert.Single(session.Outputs);
        Assert.Equal("last_hidden_state", output.Name);
        Assert.Equal(TensorElementType.Float, output.ElementType);
        Assert.Equal([1L, -1L, 4L], output.Shape);
    }

    [Fact]
    public void RunWritesIntoPreallocatedOutputs()
    {
        using var session = OnnxSession.Load(Runtime, Path.Combine(TestFiles.Models, "tiny-head", "head.onnx"), Settings);
        var input = (float*)NativeMemory.Alloc(4 * sizeof(float));
        var output = (float*)NativeMemory.Alloc(3 * sizeof(float));
        try
        {
            float[] embedding = [0.5f, -1f, 2f, 0.25f];
            embedding.CopyTo(new Span<float>(input, 4));
            using var inputValue = OrtTensors.Wrap(Runtime, input, 16, [1, 4], TensorElementType.Float);
            using var outputValue = OrtTensors.Wrap(Runtime, output, 12, [1, 3], TensorElementType.Float);
            Span<nint> outputs = [outputValue.Pointer];

            session.Run([inputValue.Pointer], [0], outputs);

            Assert.Equal(outputValue.Pointer, outputs[0]);
            var expected = TinyHead(embedding);
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(expected[i], output[i], 5);
            }
        }
        finally
        {
            NativeMemory.Free(input);
            NativeMemory.Free(output);
        }
    }

    [Fact]
    public void AFailingRunReportsOnnxRuntimesMessage()
    {
        using var session = OnnxSession.Load(Runtime, Path.Combine(TestFiles.Models, "tiny-head", "head.onnx"), Settings);
        var input = (float*)NativeMemory.Alloc(5 * sizeof(float));
        try
        {
            using var wrongShape = OrtTensors.Wrap(Runtime, input, 20, [1, 5], TensorElementType.Float);
            var outputs = new nint[1];

            var error = Assert.Throws<OnnxRuntimeException>(() => session.Run([wrongShape.Pointer], [0], outputs));

            Assert.Equal(2, error.ErrorCode); // ORT_INVALID_ARGUMENT
            Assert.Contains("embedding", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            NativeMemory.Free(input);
        }
    }

    [Fact]
    public void AFileThatIsNotAModelFailsWithItsPath()
    {
        using var temp = TestFiles.TempDirectory();
        var path = temp.File("broken.onnx");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5]);

        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Load(Runtime, path, Settings));

        Assert.StartsWith($"Cannot load model {path}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownOptimisationLevelsAreRejected()
    {
        var error = Assert.Throws<OnnxRuntimeException>(() =>
            OnnxSession.Load(Runtime, Path.Combine(TestFiles.Models, "tiny-head", "head.onnx"), Settings with { GraphOptimization = "max" }));

        Assert.Contains("'max'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The head's definition from make_test_models.py: softmax(embedding @ W + b).</summary>
    internal static float[] TinyHead(ReadOnlySpan<float> embedding)
    {
        float[,] w = { { 1, 0, -1 }, { 0, 1, 0 }, { 0.5f, -0.5f, 0 }, { 0, 0, 1 } };
        float[] b = [0.1f, 0.2f, 0.3f];
        var logits = new double[3];
        for (var j = 0; j < 3; j++)
        {
            logits[j] = b[j];
            for (var i = 0; i < 4; i++)
            {
                logits[j] += embedding[i] * w[i, j];
            }
        }

        var max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - max)).ToArray();
        return [.. exp.Select(e => (float)(e / exp.Sum()))];
    }
}
