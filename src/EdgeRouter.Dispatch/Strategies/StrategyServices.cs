using EdgeRouter.Dispatch.Providers;
using EdgeRouter.Pipeline;
using EdgeRouter.Pipeline.Routing;

namespace EdgeRouter.Dispatch.Strategies;

/// <summary>What the strategy stages of one snapshot use: the process-wide completer, the snapshot's providers, live latencies and the clock.</summary>
/// <param name="Completer">Makes buffered upstream calls.</param>
/// <param name="Providers">The snapshot's provider runtimes.</param>
/// <param name="Latencies">Live model latencies (null when the host keeps none).</param>
/// <param name="Time">The clock for latency budgets.</param>
public sealed record StrategyServices(UpstreamCompleter Completer, ProviderPool Providers, ModelLatencies? Latencies, TimeProvider Time)
{
    /// <summary>Reads the services from what the gateway hands a stage factory.</summary>
    /// <exception cref="InvalidOperationException">The host registered no <see cref="UpstreamCompleter"/> or <see cref="ProviderPool"/>.</exception>
    public static StrategyServices From(StageServices services, string kind)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new StrategyServices(
            services.Get<UpstreamCompleter>() ?? throw new InvalidOperationException($"The '{kind}' stage needs the gateway's UpstreamCompleter service."),
            services.Get<ProviderPool>() ?? throw new InvalidOperationException($"The '{kind}' stage needs the snapshot's ProviderPool."),
            services.Get<ModelLatencies>(),
            services.Get<TimeProvider>() ?? TimeProvider.System);
    }
}
