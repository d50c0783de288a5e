namespace EdgeRouter.Hosting;

/// <summary>Process-wide socket settings that must be chosen before the first socket is created.</summary>
internal static class SocketTuning
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Makes .NET sockets (and Kestrel's socket transport, which follows the same switch) complete operations on
    /// the epoll threads. A proxy does a few small reads and writes per request; each thread-pool hop costs more
    /// than the work itself. Leaves an explicit setting in the environment alone.
    /// </summary>
    public static void PreferInlineCompletions()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletions, "1");
        }
    }
}
