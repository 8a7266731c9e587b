using System.Diagnostics;

namespace Mq.Publisher.Commands;

/// <summary>
/// Keeps a steady rate against a schedule (message i is due at i / rate), so a late message does not push back
/// every later one. Waits under a millisecond are skipped: timers cannot do them, and catching up in small
/// bursts keeps the average rate right.
/// </summary>
internal static class Pacing
{
    public static Task WaitForSlotAsync(Stopwatch clock, long index, double perSecond, CancellationToken cancellationToken)
    {
        TimeSpan due = TimeSpan.FromSeconds(index / perSecond);
        TimeSpan wait = due - clock.Elapsed;
        return wait > TimeSpan.FromMilliseconds(1) ? Task.Delay(wait, cancellationToken) : Task.CompletedTask;
    }
}
