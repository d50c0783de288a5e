using System.Net;
using EdgeRouter.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeRouter.Simulator;

/// <summary>
/// An OpenAI-compatible upstream on Kestrel serving the simulated models of a <see cref="SimulatorConfig"/>:
/// <c>/v1/chat/completions</c>, <c>/v1/embeddings</c>, <c>/v1/models</c>, <c>/healthz</c> and the <c>/_sim</c>
/// control endpoints.
/// </summary>
public sealed class SimulatorServer : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan GracefulStop = TimeSpan.FromMilliseconds(100);

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping;
    private int _stopped;

    private SimulatorServer(WebApplication app, CancellationTokenSource stopping, SimulatorState state, Uri baseAddress)
    {
        _app = app;
        _stopping = stopping;
        State = state;
        BaseAddress = baseAddress;
        ApiBase = new Uri(baseAddress, "v1");
    }

    /// <summary>The bound address with a trailing slash, e.g. <c>http://127.0.0.1:43125/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary><see cref="BaseAddress"/> + <c>v1</c> (no trailing slash): what a provider's <c>baseUrl</c> points at.</summary>
    public Uri ApiBase { get; }

    /// <summary>Fault scripts, counters and recorded exchanges.</summary>
    public SimulatorState State { get; }

    /// <summary>
    /// Starts a simulator listening on <see cref="SimulatorConfig.Url"/> (port 0 picks a free port). Logs nothing
    /// unless <paramref name="loggerFactory"/> is given.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="config"/> is invalid (the problems are listed).</exception>
    public static async Task<SimulatorServer> StartAsync(
        SimulatorConfig config, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = new ConfigErrors();
        ConfigValidator.ValidateSimulator(config, errors);
        if (!errors.IsEmpty)
        {
            throw new ArgumentException("Invalid simulator configuration: " + string.Join("; ", errors.Items), nameof(config));
        }

        var url = new Uri(config.Url);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // The simulator is configured by its SimulatorConfig only: a host's appsettings or ASPNETCORE_* variables
        // (a "Kestrel" section, URLS) must not add endpoints to it.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        if (loggerFactory is not null)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        builder.Services.AddSingleton<IHostLifetime, NoopHostLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            Listen(kestrel, url);
        });

        var app = builder.Build();
        var state = new SimulatorState(config);
        var stopping = new CancellationTokenSource();
        var logger = loggerFactory?.CreateLogger("EdgeRouter.Simulator") ?? NullLogger.Instance;
        var endpoints = new SimulatorEndpoints(state, logger, stopping.Token);
        app.Run(endpoints.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            stopping.Dispose();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? config.Url;
        var server = new SimulatorServer(app, stopping, state, new Uri(address.TrimEnd('/') + "/"));
        SimulatorLog.Listening(logger, server.BaseAddress, config.Models.Count);
        return server;
    }

    /// <summary>Stops listening; requests still waiting (stalls, slow streams) are cut short.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        // Waiting requests were just cancelled; idle keep-alive connections would hold a graceful stop for about a second.
        using var graceful = new CancellationTokenSource(GracefulStop);
        await _app.StopAsync(graceful.Token);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, Uri url)
    {
        var port = url.Port;
        if (IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip))
        {
            kestrel.Listen(ip, port);
        }
        else if (url.IsLoopback)
        {
            // Kestrel cannot pick a dynamic port for "localhost" (two sockets); use IPv4 loopback then.
            if (port == 0)
            {
                kestrel.Listen(IPAddress.Loopback, 0);
            }
            else
            {
                kestrel.ListenLocalhost(port);
            }
        }
        else
        {
            kestrel.ListenAnyIP(port);
        }
    }
}
