namespace EdgeRouter.Hosting;

/// <summary>A host lifetime that leaves process signals alone, for gateways hosted inside another program.</summary>
internal sealed class NullLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
