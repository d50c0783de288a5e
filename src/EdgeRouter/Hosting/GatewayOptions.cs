using EdgeRouter.Pipeline;

namespace EdgeRouter.Hosting;

/// <summary>How to start a gateway: where its configuration comes from and what to override.</summary>
public sealed record GatewayOptions
{
    /// <summary>Path of the JSON config file; watched for changes. Null with no <see cref="ConfigJson"/>: the embedded default.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>Configuration as UTF-8 JSON, when not read from a file (not reloadable).</summary>
    public ReadOnlyMemory<byte>? ConfigJson { get; init; }

    /// <summary>Listen addresses that replace <c>server.urls</c>.</summary>
    public IReadOnlyList<string>? Urls { get; init; }

    /// <summary>Reads environment variables (API keys).</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>Stage kinds in addition to the built-in ones.</summary>
    public IReadOnlyList<IStageFactory> ExtraStages { get; init; } = [];

    /// <summary>Clock for circuit breakers and backoff.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Replaces console logging, e.g. to capture logs in tests.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>Whether Ctrl+C and SIGTERM stop the gateway (true for the CLI, false when hosted in tests).</summary>
    public bool HandleSignals { get; init; } = true;

    /// <summary>How often the config file is checked for changes, besides file-system notifications.</summary>
    public TimeSpan ConfigPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Serve before the in-process models are loaded: they load in the background while routes skip the stages that
    /// need them (reason <c>warming</c>), then a snapshot built with them is swapped in and the semantic cache opens.
    /// <see cref="GatewayApp.ModelsReady"/> completes then (or faults, and the gateway stops, when a model cannot be
    /// loaded). Off by default for embedders; <c>edgerouter run</c> turns it on.
    /// </summary>
    public bool LoadModelsInBackground { get; init; }

    /// <summary>Awaited before the background load starts; tests use it to hold the gateway in its warming state.</summary>
    public Func<Task>? BeforeBackgroundLoad { get; init; }
}
