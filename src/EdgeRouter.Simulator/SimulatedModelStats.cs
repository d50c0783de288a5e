namespace EdgeRouter.Simulator;

/// <summary>A snapshot of one simulated model's counters.</summary>
/// <param name="Requests">Requests that named this model (valid or not).</param>
/// <param name="StreamRequests">Requests with <c>stream: true</c>.</param>
/// <param name="IncludeUsageRequests">Requests with <c>stream_options.include_usage: true</c>.</param>
/// <param name="Completed">Responses written in full, error answers included.</param>
/// <param name="Canceled">Requests whose client went away (or the server stopped) before the response was complete.</param>
/// <param name="FaultsInjected">Faults other than <see cref="SimulatedFaultKind.None"/> applied to requests.</param>
public sealed record SimulatedModelStats(
    long Requests, long StreamRequests, long IncludeUsageRequests, long Completed, long Canceled, long FaultsInjected);
