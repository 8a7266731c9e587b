using Microsoft.Extensions.Logging;

namespace Mq.Broker.Server;

/// <summary>
/// At most a number of passes per second (windows of 1000 ms of the broker's clock), so that what peers can
/// trigger (log lines, events) cannot flood anyone. What it holds back is counted and handed to the next pass,
/// so whoever reads can say how much was left out. Broker thread only.
/// </summary>
internal sealed class RateLimit(int perSecond)
{
    private bool _started;
    private long _windowStart;
    private int _passed;
    private long _suppressed;

    /// <summary>
    /// True if one more may pass now; <paramref name="suppressed"/> is then how many were held back since the last
    /// that passed (0 when refused: they are handed on with the next pass).
    /// </summary>
    public bool TryPass(long now, out long suppressed)
    {
        if (!_started || now - _windowStart >= 1000)
        {
            _started = true;
            _windowStart = now;
            _passed = 0;
        }

        if (_passed < perSecond)
        {
            _passed++;
            suppressed = _suppressed;
            _suppressed = 0;
            return true;
        }

        _suppressed++;
        suppressed = 0;
        return false;
    }

    /// <summary><see cref="TryPass"/> for a log line: what was held back since the last line that passed is summed up first.</summary>
    public bool TryLog(long now, ILogger logger, Action<ILogger, long> summary)
    {
        if (!TryPass(now, out long suppressed))
        {
            return false;
        }

        if (suppressed > 0)
        {
            summary(logger, suppressed);
        }

        return true;
    }
}
