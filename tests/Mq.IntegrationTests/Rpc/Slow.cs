namespace Mq.IntegrationTests.Rpc;

/// <summary>An <see cref="ISlow"/> that signals when a call's token fires.</summary>
public sealed class Slow : ISlow
{
    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<int> WaitAsync(int milliseconds, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(milliseconds, cancellationToken);
            return milliseconds;
        }
        catch (OperationCanceledException)
        {
            Cancelled.TrySetResult();
            throw;
        }
    }
}
