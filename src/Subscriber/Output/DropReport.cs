using Mq.Client;
using Mq.CommandLine;

namespace Mq.Subscriber.Output;

/// <summary>
/// What the subscriptions lost, told on stderr at most once a second (a burst of gaps is one line, not one per
/// gap) and once more, as a total, when the subscriber ends.
/// </summary>
internal sealed class DropReport : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private long _local;
    private long _broker;
    private long _reportedLocal;
    private long _reportedBroker;

    public DropReport() => _writer = WriteAsync(_stop.Token);

    /// <summary>Counts one event's drops; any thread (the client raises them on the thread pool).</summary>
    public void Record(object? sender, MessagesDroppedEventArgs e) => Interlocked.Add(ref e.Local ? ref _local : ref _broker, e.Count);

    /// <summary>Stops the periodic lines and writes the total, if anything was lost.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _writer;
        _stop.Dispose();
        long local = Interlocked.Read(ref _local);
        long broker = Interlocked.Read(ref _broker);
        if (local + broker > 0)
        {
            await Console.Error.WriteLineAsync($"warning: lost {Plural.Of(local + broker, "message")} in all ({Causes(local, broker)})");
        }
    }

    private static string Causes(long local, long broker) => (local, broker) switch
    {
        (> 0, > 0) => $"{local} as this subscriber fell behind, {broker} dropped by the broker",
        (> 0, _) => "this subscriber fell behind",
        _ => "the broker dropped them",
    };

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                long local = Interlocked.Read(ref _local);
                long broker = Interlocked.Read(ref _broker);
                long lost = local - _reportedLocal + broker - _reportedBroker;
                if (lost > 0)
                {
                    await Console.Error.WriteLineAsync(
                        $"warning: lost {Plural.Of(lost, "message")} ({Causes(local - _reportedLocal, broker - _reportedBroker)}); {local + broker} in all so far");
                    (_reportedLocal, _reportedBroker) = (local, broker);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ending: the total follows.
        }
    }
}
