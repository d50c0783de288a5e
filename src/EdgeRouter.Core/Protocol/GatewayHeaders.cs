namespace EdgeRouter.Protocol;

/// <summary>Response and request header names that are part of EdgeRouter's interface.</summary>
public static class GatewayHeaders
{
    /// <summary>The request id, taken from the client when valid, else generated.</summary>
    public const string RequestId = "x-request-id";

    /// <summary>The route the request's <c>model</c> selected.</summary>
    public const string Route = "x-edgerouter-route";

    /// <summary>The concrete model that answered (<c>provider/model</c>).</summary>
    public const string Model = "x-edgerouter-model";

    /// <summary>The provider that answered.</summary>
    public const string Provider = "x-edgerouter-provider";

    /// <summary>Milliseconds spent in the gateway up to the first response byte, upstream waits excluded.</summary>
    public const string OverheadMs = "x-edgerouter-overhead-ms";

    /// <summary>Request: the tenant whose cache entries may be used. Response: unused.</summary>
    public const string Tenant = "x-edgerouter-tenant";

    /// <summary>Request: <c>off</c> bypasses the cache. Response: <c>hit; similarity=…; id=…</c>, <c>miss</c> or why it was skipped.</summary>
    public const string Cache = "x-edgerouter-cache";

    /// <summary>Response: why this model answered, as compact JSON: every router's distribution, weights, verifier verdicts, escalations.</summary>
    public const string Decision = "x-edgerouter-decision";
}
