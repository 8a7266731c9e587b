namespace Mq.Benchmarks;

/// <summary>
/// The "N in flight" loop of W4, D1 and D2's fill: <c>inFlight</c> workers, each sending one operation on a fresh
/// payload (128 bytes unless told) stamped with its number and awaiting it before the next, until <c>count</c> were issued.
/// </summary>
internal static class InFlight
{
    /// <summary>Runs the loop; returns how many operations completed and how many failed.</summary>
    public static async Task<(long Completed, long Failed)> RunAsync(long count, int inFlight, Func<byte[], CancellationToken, ValueTask> operation, CancellationToken deadline, int payloadBytes = BenchSettings.SmallPayload)
    {
        long issued = 0;
        long completed = 0;
        long failed = 0;
        var workers = new Task[inFlight];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                byte[] payload = new byte[payloadBytes];
                long next;
                while ((next = Interlocked.Increment(ref issued)) <= count && !deadline.IsCancellationRequested)
                {
                    SequenceTracker.Stamp(payload, next - 1);
                    try
                    {
                        await operation(payload, deadline);
                        Interlocked.Increment(ref completed);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !deadline.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            }, CancellationToken.None);
        }

        try
        {
            await Task.WhenAll(workers);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            // The deadline ended the run; what did not complete is counted as lost by the caller.
        }

        return (Interlocked.Read(ref completed), Interlocked.Read(ref failed));
    }
}
