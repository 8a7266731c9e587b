namespace Mq.Broker.Security;

/// <summary>
/// Notices edits of the policy file by its modification time, checked about once a second from the broker's
/// timer (polling works on every file system and volume mount, where change notifications do not).
/// </summary>
internal sealed class PolicyWatcher(string path)
{
    private DateTime _loadedWriteTime = File.GetLastWriteTimeUtc(path);
    private long _lastCheck;

    public string Path { get; } = path;

    /// <summary>True once the file has changed since it was last loaded (or last found broken).</summary>
    public bool Changed(long now)
    {
        if (now - _lastCheck < 1000)
        {
            return false;
        }

        _lastCheck = now;
        DateTime writeTime = File.GetLastWriteTimeUtc(Path);
        if (writeTime == _loadedWriteTime)
        {
            return false;
        }

        _loadedWriteTime = writeTime;
        return true;
    }
}
