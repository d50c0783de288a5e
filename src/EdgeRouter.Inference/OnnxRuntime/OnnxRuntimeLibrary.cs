using System.Runtime.InteropServices;

namespace EdgeRouter.Inference.OnnxRuntime;

/// <summary>
/// The ONNX Runtime native library, loaded once per process, and its shared environment (<c>OrtEnv</c>) and CPU
/// memory description. ONNX Runtime allows one environment per process, so the first successful
/// <see cref="Load"/> fixes the library for the process lifetime. Thread-safe.
/// </summary>
public sealed unsafe class OnnxRuntimeLibrary
{
    /// <summary>The C API version requested: every function the gateway calls exists from this version on.</summary>
    public const uint ApiVersion = 13;

    /// <summary>Environment variable that points at an ONNX Runtime library to use instead of the bundled one.</summary>
    public const string PathVariable = "EDGEROUTER_ONNXRUNTIME";

    /// <summary>ONNX Runtime's telemetry opt-out on Linux and macOS; the gateway sets it to 1 unless already set.</summary>
    public const string TelemetryVariable = "ORT_DISABLE_TELEMETRY";

    private static readonly Lock Gate = new();
    private static OnnxRuntimeLibrary? s_loaded;

    private readonly OrtEnvHandle _env;

    private OnnxRuntimeLibrary(string path, string version, OrtEnvHandle env, OrtMemoryInfoHandle cpuMemory)
    {
        LibraryPath = path;
        Version = version;
        _env = env;
        CpuMemory = cpuMemory;
    }

    /// <summary>The file the library was loaded from.</summary>
    public string LibraryPath { get; }

    /// <summary>The runtime's own version string, e.g. <c>1.30.0</c>.</summary>
    public string Version { get; }

    /// <summary>The library loaded in this process, if any.</summary>
    public static OnnxRuntimeLibrary? Loaded => Volatile.Read(ref s_loaded);

    internal nint Environment => _env.Pointer;

    internal OrtMemoryInfoHandle CpuMemory { get; }

    /// <summary>The platform's file name for the library (<c>libonnxruntime.so.1</c>, <c>libonnxruntime.1.dylib</c>, <c>onnxruntime.dll</c>).</summary>
    public static string PlatformFileName =>
        OperatingSystem.IsWindows() ? "onnxruntime.dll"
        : OperatingSystem.IsMacOS() ? "libonnxruntime.1.dylib"
        : "libonnxruntime.so.1";

    /// <summary>
    /// Loads ONNX Runtime from <paramref name="configuredPath"/> if given, else from <see cref="PathVariable"/>, else
    /// from next to the application, and creates the process's environment. Later calls return the same instance.
    /// </summary>
    /// <exception cref="OnnxRuntimeException">No usable library: the message names the path tried and why it failed.</exception>
    public static OnnxRuntimeLibrary Load(string? configuredPath = null)
    {
        lock (Gate)
        {
            if (s_loaded is { } loaded)
            {
                var wanted = Resolve(configuredPath);
                if (!string.Equals(Path.GetFullPath(wanted), Path.GetFullPath(loaded.LibraryPath), StringComparison.Ordinal))
                {
                    throw new OnnxRuntimeException(
                        $"ONNX Runtime is already loaded from {loaded.LibraryPath}; a process can use only one (asked for {wanted}).");
                }

                return loaded;
            }

            var library = LoadFrom(Resolve(configuredPath));
            Volatile.Write(ref s_loaded, library);
            return library;
        }
    }

    private static string Resolve(string? configuredPath)
    {
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            return configuredPath;
        }

        var fromEnvironment = System.Environment.GetEnvironmentVariable(PathVariable);
        return !string.IsNullOrWhiteSpace(fromEnvironment) ? fromEnvironment : Path.Combine(AppContext.BaseDirectory, PlatformFileName);
    }

    /// <summary>
    /// Official ONNX Runtime builds for Linux and macOS (1.25 on) start a telemetry client when the library initialises:
    /// a device id under <c>~/.cache/Microsoft</c>, an offline event store, an uploader thread and a
    /// <c>/tmp/mat-debug-PID.log</c> file per process. A gateway must not send its host's data anywhere, so unless the
    /// operator set <see cref="TelemetryVariable"/> themselves, it is set to 1 (ONNX Runtime's documented opt-out, read
    /// once before initialisation). The process environment is set natively: ONNX Runtime reads it with getenv, which
    /// does not see .NET's copy. On Windows the runtime's ETW events are switched off by <c>DisableTelemetryEvents</c>.
    /// </summary>
    private static void OptOutOfRuntimeTelemetry()
    {
        if (!OperatingSystem.IsWindows() && System.Environment.GetEnvironmentVariable(TelemetryVariable) is null)
        {
            _ = NativeEnvironment.SetVariable(TelemetryVariable, "1", overwrite: 0);
        }
    }

    /// <summary>Loads the library at <paramref name="path"/> without registering it; checks happen before anything global changes.</summary>
    internal static OnnxRuntimeLibrary LoadFrom(string path)
    {
        if (!File.Exists(path))
        {
            throw new OnnxRuntimeException(
                $"ONNX Runtime library not found at {path}. The build places it next to the binary; otherwise set inference.onnxRuntimePath or {PathVariable}.");
        }

        OptOutOfRuntimeTelemetry();
        if (!NativeLibrary.TryLoad(path, out var handle))
        {
            throw new OnnxRuntimeException($"ONNX Runtime library at {path} could not be loaded (wrong platform, architecture or missing dependencies).");
        }

        if (!NativeLibrary.TryGetExport(handle, "OrtGetApiBase", out var getApiBase))
        {
            throw new OnnxRuntimeException($"{path} is not ONNX Runtime: it does not export OrtGetApiBase.");
        }

        var apiBase = ((delegate* unmanaged<OrtApiBase*>)getApiBase)();
        var version = Marshal.PtrToStringUTF8((nint)apiBase->GetVersionString()) ?? "unknown";
        var api = apiBase->GetApi(ApiVersion);
        if (api is null)
        {
            throw new OnnxRuntimeException($"ONNX Runtime {version} at {path} does not serve C API version {ApiVersion}; use 1.{ApiVersion} or newer.");
        }

        Ort.Initialize(api);
        var env = new OrtEnvHandle();
        nint envPointer;
        fixed (byte* logId = "edgerouter"u8)
        {
            Ort.Check(api->CreateEnv(OrtLoggingLevelWarning, logId, &envPointer));
        }

        env.Attach(envPointer);
        Ort.Check(api->DisableTelemetryEvents(envPointer));
        var memory = new OrtMemoryInfoHandle();
        nint memoryPointer;
        Ort.Check(api->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &memoryPointer));
        memory.Attach(memoryPointer);
        return new OnnxRuntimeLibrary(path, version, env, memory);
    }

    private const int OrtLoggingLevelWarning = 2;
    private const int OrtArenaAllocator = 1;
    private const int OrtMemTypeDefault = 0;

    [StructLayout(LayoutKind.Sequential)]
    private struct OrtApiBase
    {
        public delegate* unmanaged<uint, OrtApi*> GetApi;
        public delegate* unmanaged<byte*> GetVersionString;
    }
}

/// <summary>The C library's environment, which native code reads.</summary>
internal static partial class NativeEnvironment
{
    /// <summary><c>setenv(3)</c>: 0 on success.</summary>
    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int SetVariable(string name, string value, int overwrite);
}
