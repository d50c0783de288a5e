using EdgeRouter.Inference;
using EdgeRouter.Inference.OnnxRuntime;

namespace EdgeRouter.Cli;

/// <summary>The failures <c>eval</c> and <c>calibrate</c> report as a message and exit code 1 rather than a crash.</summary>
internal static class RouterCommandErrors
{
    /// <summary>
    /// Unreadable or malformed data and output folders, models that do not load or run, and a router that returns
    /// unusable scores (<see cref="InvalidOperationException"/>, <see cref="ArgumentException"/> from training on
    /// degenerate data); failures inside parallel scoring arrive wrapped in an <see cref="AggregateException"/>.
    /// </summary>
    public static bool IsExpected(Exception ex) => ex switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.All(IsExpected),
        IOException or UnauthorizedAccessException or InvalidDataException or LocalModelException or OnnxRuntimeException
            or InvalidOperationException or ArgumentException => true,
        _ => false,
    };

    /// <summary>The message, with the inner messages of an aggregate.</summary>
    public static string Describe(Exception ex) => ex is AggregateException aggregate
        ? string.Join("; ", aggregate.Flatten().InnerExceptions.Select(e => e.Message).Distinct())
        : ex.Message;
}
