using EdgeRouter.Pipeline;

namespace EdgeRouter.Routing.Routers;

/// <summary>What every routing stage does first: stand aside when an earlier stage pinned the model.</summary>
internal static class PinnedRouting
{
    /// <summary>True when an earlier stage (a rule, a sticky conversation) pinned the model; the skip is traced under <paramref name="kind"/>.</summary>
    public static bool SkippedForPin(this RequestContext context, string kind)
    {
        var routing = context.Routing;
        if (!routing.Pinned)
        {
            return false;
        }

        context.Trace.Add(kind, $"skipped: {routing.ChosenBy} pinned {routing.Chosen?.Id}");
        return true;
    }
}
