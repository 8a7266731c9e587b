using Microsoft.Extensions.Logging;

namespace Mq.Broker.Transport;

/// <summary>
/// The transport's warnings about connections it refused, timed out or capped: at most
/// <see cref="LinesPerSecond"/> lines a second, then one line with the count of the rest. Called from many threads.
/// </summary>
internal sealed partial class TransportLog(ILogger logger)
{
    private const int LinesPerSecond = 20;
    private readonly Lock _lock = new();
    private long _windowStart;
    private int _logged;
    private long _suppressed;

    public void Refused(string source, string reason)
    {
        long suppressed = 0;
        bool write;
        lock (_lock)
        {
            long now = Environment.TickCount64;
            if (now - _windowStart >= 1000)
            {
                suppressed = _suppressed;
                _windowStart = now;
                _logged = 0;
                _suppressed = 0;
            }

            write = _logged < LinesPerSecond;
            if (write)
            {
                _logged++;
            }
            else
            {
                _suppressed++;
            }
        }

        if (suppressed > 0)
        {
            LogSuppressed(suppressed);
        }

        if (write)
        {
            LogRefused(source, reason);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error on a connection from {Source}; it is closed, the broker goes on")]
    public partial void Unexpected(string source, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closed a connection from {Source}: {Reason}")]
    private partial void LogRefused(string source, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} more connections were closed in the last second and not logged")]
    private partial void LogSuppressed(long count);
}
