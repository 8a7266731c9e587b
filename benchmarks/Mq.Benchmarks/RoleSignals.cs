namespace Mq.Benchmarks;

/// <summary>
/// What ends a role process: "stop" on stdin from the parent, stdin closing (the parent died), or its own
/// deadline, whichever comes first.
/// </summary>
internal sealed class RoleSignals : IDisposable
{
    private readonly CancellationTokenSource _stop;

    public RoleSignals(TimeSpan deadline)
    {
        _stop = new CancellationTokenSource(deadline);
        _ = Task.Run(async () =>
        {
            string? line;
            while ((line = await Console.In.ReadLineAsync()) is not null && line.Trim() != "stop")
            {
            }

            await _stop.CancelAsync();
        });
    }

    public CancellationToken Token => _stop.Token;

    public void Dispose() => _stop.Dispose();
}
