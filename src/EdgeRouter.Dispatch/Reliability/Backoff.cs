using System.Globalization;
using EdgeRouter.Configuration;

namespace EdgeRouter.Dispatch.Reliability;

/// <summary>Retry delays: exponential backoff with full jitter, and <c>Retry-After</c> handling.</summary>
public static class Backoff
{
    /// <summary>
    /// The delay before retry number <paramref name="retry"/> (1 for the first retry): uniform in
    /// [0, min(maxDelay, baseDelay·2^(retry-1))]. Full jitter spreads synchronized clients apart.
    /// </summary>
    public static TimeSpan Jittered(RetryConfig policy, int retry, Random random)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(random);
        var ceiling = Math.Min(policy.MaxDelayMs, policy.BaseDelayMs * Math.Pow(2, Math.Max(0, retry - 1)));
        return TimeSpan.FromMilliseconds(random.NextDouble() * ceiling);
    }

    /// <summary>
    /// Reads how long an upstream asked us to wait: <c>retry-after-ms</c> (milliseconds), else <c>Retry-After</c>
    /// as delta-seconds or an HTTP date. Returns null when absent or unparsable.
    /// </summary>
    public static TimeSpan? ParseRetryAfter(string? retryAfter, string? retryAfterMs, DateTimeOffset now)
    {
        if (retryAfterMs is not null
            && double.TryParse(retryAfterMs, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        if (string.IsNullOrWhiteSpace(retryAfter))
        {
            return null;
        }

        if (double.TryParse(retryAfter, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds >= 0 ? TimeSpan.FromSeconds(seconds) : null;
        }

        if (DateTimeOffset.TryParseExact(retryAfter.Trim(), "r", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var date))
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
