namespace EdgeRouter.Hosting;

/// <summary>
/// Notices changes to the config file: file-system notifications for speed, plus a poll of its size and write
/// time for file systems and symlink swaps (Kubernetes ConfigMaps) that raise none. Bursts are debounced.
/// </summary>
internal sealed class ConfigWatcher : IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(200);

    private readonly string _path;
    private readonly Func<Task> _onChange;
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer _poll;
    private readonly Timer _debounce;
    private (DateTime WriteTime, long Length) _lastStamp;

    public ConfigWatcher(string path, TimeSpan pollInterval, Func<Task> onChange)
    {
        _path = Path.GetFullPath(path);
        _onChange = onChange;
        _lastStamp = Stamp();
        _debounce = new Timer(_ => _ = FireAsync(), null, Timeout.Infinite, Timeout.Infinite);
        _poll = new Timer(_ => Poll(), null, pollInterval, pollInterval);
        var directory = Path.GetDirectoryName(_path);
        if (directory is not null && Directory.Exists(directory))
        {
            _watcher = new FileSystemWatcher(directory, Path.GetFileName(_path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, _) => Schedule();
            _watcher.Created += (_, _) => Schedule();
            _watcher.Renamed += (_, _) => Schedule();
            _watcher.EnableRaisingEvents = true;
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _poll.Dispose();
        _debounce.Dispose();
    }

    private void Schedule() => _debounce.Change(Debounce, Timeout.InfiniteTimeSpan);

    private void Poll()
    {
        var stamp = Stamp();
        if (stamp != _lastStamp)
        {
            _lastStamp = stamp;
            Schedule();
        }
    }

    private (DateTime, long) Stamp()
    {
        try
        {
            var info = new FileInfo(_path);
            return info.Exists ? (info.LastWriteTimeUtc, info.Length) : default;
        }
        catch (IOException)
        {
            return default;
        }
    }

    private async Task FireAsync()
    {
        try
        {
            await _onChange();
        }
#pragma warning disable CA1031 // a failed reload must never take the timer thread (and the process) down
        catch (Exception)
#pragma warning restore CA1031
        {
            // The reloader logs what went wrong.
        }
    }
}
