using Mq.Client;

namespace Mq.IntegrationTests.Infrastructure;

/// <summary>Bounded waits: every test awaits a signal with a timeout instead of sleeping.</summary>
public static class Waits
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(10);

    /// <summary>Reads exactly <paramref name="count"/> messages, or fails after <paramref name="timeout"/>.</summary>
    public static async Task<List<MqMessage>> TakeAsync(this MqSubscription subscription, int count, TimeSpan? timeout = null)
    {
        var messages = new List<MqMessage>(count);
        using var cts = new CancellationTokenSource(timeout ?? Default);
        try
        {
            while (messages.Count < count && await subscription.Reader.WaitToReadAsync(cts.Token))
            {
                while (messages.Count < count && subscription.Reader.TryRead(out MqMessage? message))
                {
                    messages.Add(message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"received {messages.Count} of {count} messages on '{subscription.Pattern}' in time ({subscription.Dropped} reported dropped)");
        }

        return messages;
    }

    /// <summary>True if no message arrives within <paramref name="window"/>: for asserting that something was not delivered.</summary>
    public static async Task<bool> StaysEmptyAsync(this MqSubscription subscription, TimeSpan window)
    {
        using var cts = new CancellationTokenSource(window);
        try
        {
            await subscription.Reader.WaitToReadAsync(cts.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    /// <summary>Completes with the reason the next time <paramref name="client"/> enters <paramref name="state"/>; subscribe before causing it.</summary>
    public static Task<string> NextStateAsync(this MqClient client, ConnectionState state)
    {
        var entered = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionStateChanged += (_, e) =>
        {
            if (e.State == state)
            {
                entered.TrySetResult(e.Reason);
            }
        };
        return entered.Task;
    }

    /// <summary>Polls a condition that has no event of its own, a bounded number of times.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? Default;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (clock.Elapsed < limit)
        {
            if (await condition())
            {
                return;
            }

            await ticks.WaitForNextTickAsync();
        }

        throw new TimeoutException($"{what} did not happen within {limit.TotalSeconds:0.#} s");
    }
}
