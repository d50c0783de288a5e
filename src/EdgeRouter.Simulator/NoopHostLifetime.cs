using Microsoft.Extensions.Hosting;

namespace EdgeRouter.Simulator;

/// <summary>
/// Replaces the console lifetime so an in-process simulator neither hooks Ctrl+C nor prints banners; whoever owns
/// the <see cref="SimulatorServer"/> decides when it stops.
/// </summary>
internal sealed class NoopHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
