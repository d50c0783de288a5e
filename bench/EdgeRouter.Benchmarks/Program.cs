using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// Micro-benchmarks of the gateway's per-request and per-event work, one folder per subsystem.
//   dotnet run -c Release --project bench/EdgeRouter.Benchmarks -- --filter '*'
// They run in-process (no generated project to build), which keeps them independent of the repository's build
// settings; the numbers are for comparing code changes on one machine, not for quoting as AOT figures.
var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance))
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
