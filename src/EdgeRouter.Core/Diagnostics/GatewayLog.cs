namespace EdgeRouter.Diagnostics;

/// <summary>
/// Source-generated log messages of the gateway, split by area into partial files. Event ids are stable;
/// the next free id is 17.
/// </summary>
public static partial class GatewayLog
{
    /// <summary>Logger category of the per-request decision line.</summary>
    public const string DecisionCategory = "EdgeRouter.Decision";
}
