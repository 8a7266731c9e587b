namespace Mq.CliTests;

internal static class Waiting
{
    /// <summary>Polls a condition on output already being collected, a bounded number of times.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout) =>
        UntilAsync(() => Task.FromResult(condition()), timeout);

    /// <summary>Polls an asynchronous condition (such as a request) until it holds, within <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"condition not met within {timeout.TotalSeconds:0} s");
            }

            await ticks.WaitForNextTickAsync();
        }
    }
}
