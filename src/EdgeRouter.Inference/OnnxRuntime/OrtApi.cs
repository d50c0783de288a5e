using System.Runtime.InteropServices;

namespace EdgeRouter.Inference.OnnxRuntime;

/// <summary>
/// The ONNX Runtime C API function table (<c>struct OrtApi</c> in <c>onnxruntime_c_api.h</c>), member by member in
/// declaration order up to the last function the gateway uses. The table only ever grows at the end, so this prefix
/// is valid for every runtime that serves API version <see cref="OnnxRuntimeLibrary.ApiVersion"/> or later. Functions
/// the gateway does not call are kept as untyped slots so the offsets stay right. Every <c>nint</c> returned by a
/// typed entry is an <c>OrtStatus*</c> (null on success) unless the entry returns something else.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct OrtApi
{
    public nint CreateStatus; // 0, unused
    public delegate* unmanaged<nint, int> GetErrorCode; // 1
    public delegate* unmanaged<nint, byte*> GetErrorMessage; // 2
    public delegate* unmanaged<int, byte*, nint*, nint> CreateEnv; // 3
    public nint CreateEnvWithCustomLogger; // 4, unused
    public nint EnableTelemetryEvents; // 5, unused
    public delegate* unmanaged<nint, nint> DisableTelemetryEvents; // 6
    public delegate* unmanaged<nint, void*, nint, nint*, nint> CreateSession; // 7
    public delegate* unmanaged<nint, void*, nuint, nint, nint*, nint> CreateSessionFromArray; // 8
    public delegate* unmanaged<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint> Run; // 9
    public delegate* unmanaged<nint*, nint> CreateSessionOptions; // 10
    public nint SetOptimizedModelFilePath; // 11, unused
    public nint CloneSessionOptions; // 12, unused
    public delegate* unmanaged<nint, int, nint> SetSessionExecutionMode; // 13
    public nint EnableProfiling; // 14, unused
    public nint DisableProfiling; // 15, unused
    public nint EnableMemPattern; // 16, unused
    public nint DisableMemPattern; // 17, unused
    public delegate* unmanaged<nint, nint> EnableCpuMemArena; // 18
    public delegate* unmanaged<nint, nint> DisableCpuMemArena; // 19
    public nint SetSessionLogId; // 20, unused
    public nint SetSessionLogVerbosityLevel; // 21, unused
    public delegate* unmanaged<nint, int, nint> SetSessionLogSeverityLevel; // 22
    public delegate* unmanaged<nint, int, nint> SetSessionGraphOptimizationLevel; // 23
    public delegate* unmanaged<nint, int, nint> SetIntraOpNumThreads; // 24
    public delegate* unmanaged<nint, int, nint> SetInterOpNumThreads; // 25
    public nint CreateCustomOpDomain; // 26, unused
    public nint CustomOpDomainAdd; // 27, unused
    public nint AddCustomOpDomain; // 28, unused
    public nint RegisterCustomOpsLibrary; // 29, unused
    public delegate* unmanaged<nint, nuint*, nint> SessionGetInputCount; // 30
    public delegate* unmanaged<nint, nuint*, nint> SessionGetOutputCount; // 31
    public nint SessionGetOverridableInitializerCount; // 32, unused
    public delegate* unmanaged<nint, nuint, nint*, nint> SessionGetInputTypeInfo; // 33
    public delegate* unmanaged<nint, nuint, nint*, nint> SessionGetOutputTypeInfo; // 34
    public nint SessionGetOverridableInitializerTypeInfo; // 35, unused
    public delegate* unmanaged<nint, nuint, nint, byte**, nint> SessionGetInputName; // 36
    public delegate* unmanaged<nint, nuint, nint, byte**, nint> SessionGetOutputName; // 37
    public nint SessionGetOverridableInitializerName; // 38, unused
    public nint CreateRunOptions; // 39, unused
    public nint RunOptionsSetRunLogVerbosityLevel; // 40, unused
    public nint RunOptionsSetRunLogSeverityLevel; // 41, unused
    public nint RunOptionsSetRunTag; // 42, unused
    public nint RunOptionsGetRunLogVerbosityLevel; // 43, unused
    public nint RunOptionsGetRunLogSeverityLevel; // 44, unused
    public nint RunOptionsGetRunTag; // 45, unused
    public nint RunOptionsSetTerminate; // 46, unused
    public nint RunOptionsUnsetTerminate; // 47, unused
    public nint CreateTensorAsOrtValue; // 48, unused
    public delegate* unmanaged<nint, void*, nuint, long*, nuint, int, nint*, nint> CreateTensorWithDataAsOrtValue; // 49
    public nint IsTensor; // 50, unused
    public delegate* unmanaged<nint, void**, nint> GetTensorMutableData; // 51
    public nint FillStringTensor; // 52, unused
    public nint GetStringTensorDataLength; // 53, unused
    public nint GetStringTensorContent; // 54, unused
    public delegate* unmanaged<nint, nint*, nint> CastTypeInfoToTensorInfo; // 55
    public delegate* unmanaged<nint, int*, nint> GetOnnxTypeFromTypeInfo; // 56
    public nint CreateTensorTypeAndShapeInfo; // 57, unused
    public nint SetTensorElementType; // 58, unused
    public nint SetDimensions; // 59, unused
    public delegate* unmanaged<nint, int*, nint> GetTensorElementType; // 60
    public delegate* unmanaged<nint, nuint*, nint> GetDimensionsCount; // 61
    public delegate* unmanaged<nint, long*, nuint, nint> GetDimensions; // 62
    public nint GetSymbolicDimensions; // 63, unused
    public nint GetTensorShapeElementCount; // 64, unused
    public delegate* unmanaged<nint, nint*, nint> GetTensorTypeAndShape; // 65
    public nint GetTypeInfo; // 66, unused
    public nint GetValueType; // 67, unused
    public nint CreateMemoryInfo; // 68, unused
    public delegate* unmanaged<int, int, nint*, nint> CreateCpuMemoryInfo; // 69
    public nint CompareMemoryInfo; // 70, unused
    public nint MemoryInfoGetName; // 71, unused
    public nint MemoryInfoGetId; // 72, unused
    public nint MemoryInfoGetMemType; // 73, unused
    public nint MemoryInfoGetType; // 74, unused
    public nint AllocatorAlloc; // 75, unused
    public delegate* unmanaged<nint, void*, nint> AllocatorFree; // 76
    public nint AllocatorGetInfo; // 77, unused
    public delegate* unmanaged<nint*, nint> GetAllocatorWithDefaultOptions; // 78
    public nint AddFreeDimensionOverride; // 79, unused
    public nint GetValue; // 80, unused
    public nint GetValueCount; // 81, unused
    public nint CreateValue; // 82, unused
    public nint CreateOpaqueValue; // 83, unused
    public nint GetOpaqueValue; // 84, unused
    public nint KernelInfoGetAttributefloat; // 85, unused
    public nint KernelInfoGetAttributeint64; // 86, unused
    public nint KernelInfoGetAttributestring; // 87, unused
    public nint KernelContextGetInputCount; // 88, unused
    public nint KernelContextGetOutputCount; // 89, unused
    public nint KernelContextGetInput; // 90, unused
    public nint KernelContextGetOutput; // 91, unused
    public delegate* unmanaged<nint, void> ReleaseEnv; // 92
    public delegate* unmanaged<nint, void> ReleaseStatus; // 93
    public delegate* unmanaged<nint, void> ReleaseMemoryInfo; // 94
    public delegate* unmanaged<nint, void> ReleaseSession; // 95
    public delegate* unmanaged<nint, void> ReleaseValue; // 96
    public delegate* unmanaged<nint, void> ReleaseRunOptions; // 97
    public delegate* unmanaged<nint, void> ReleaseTypeInfo; // 98
    public delegate* unmanaged<nint, void> ReleaseTensorTypeAndShapeInfo; // 99
    public delegate* unmanaged<nint, void> ReleaseSessionOptions; // 100
    public nint ReleaseCustomOpDomain; // 101, unused
    public nint GetDenotationFromTypeInfo; // 102, unused
    public nint CastTypeInfoToMapTypeInfo; // 103, unused
    public nint CastTypeInfoToSequenceTypeInfo; // 104, unused
    public nint GetMapKeyType; // 105, unused
    public nint GetMapValueType; // 106, unused
    public nint GetSequenceElementType; // 107, unused
    public nint ReleaseMapTypeInfo; // 108, unused
    public nint ReleaseSequenceTypeInfo; // 109, unused
    public nint SessionEndProfiling; // 110, unused
    public nint SessionGetModelMetadata; // 111, unused
    public nint ModelMetadataGetProducerName; // 112, unused
    public nint ModelMetadataGetGraphName; // 113, unused
    public nint ModelMetadataGetDomain; // 114, unused
    public nint ModelMetadataGetDescription; // 115, unused
    public nint ModelMetadataLookupCustomMetadataMap; // 116, unused
    public nint ModelMetadataGetVersion; // 117, unused
    public nint ReleaseModelMetadata; // 118, unused
    public nint CreateEnvWithGlobalThreadPools; // 119, unused
    public nint DisablePerSessionThreads; // 120, unused
    public nint CreateThreadingOptions; // 121, unused
    public nint ReleaseThreadingOptions; // 122, unused
    public nint ModelMetadataGetCustomMetadataMapKeys; // 123, unused
    public nint AddFreeDimensionOverrideByName; // 124, unused
    public nint GetAvailableProviders; // 125, unused
    public nint ReleaseAvailableProviders; // 126, unused
    public nint GetStringTensorElementLength; // 127, unused
    public nint GetStringTensorElement; // 128, unused
    public nint FillStringTensorElement; // 129, unused
    public delegate* unmanaged<nint, byte*, byte*, nint> AddSessionConfigEntry; // 130
}
