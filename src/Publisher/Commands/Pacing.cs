using System.Diagnostics;

namespace Mq.Publisher.Commands;

/// <summary>Keeps a steady rate against a schedule, so a late message does not push back every later one.</summary>
internal static class Pacing
{
    public static Task WaitForSlotAsync(Stopwatch clock, long index, double perSecond, CancellationToken cancellationToken)
    {
        TimeSpan due = TimeSpan.FromSeconds(index / perSecond);
        TimeSpan wait = due - clock.Elapsed;
        return wait > TimeSpan.FromMilliseconds(1) ? Task.Delay(wait, cancellationToken) : Task.CompletedTask;
    }
}
