using Mq.Client;

namespace Mq.IntegrationTests.Rpc;

/// <summary>
/// A handler that waits until its token fires and records that it did. Detected in the handler's own catch: a
/// callback registered on the token may be unregistered by the handler's exit before it runs.
/// </summary>
internal sealed class CancellationProbe
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a request reached the handler.</summary>
    public Task Started => _started.Task;

    /// <summary>Completes when the handler's token fired.</summary>
    public Task Cancelled => _cancelled.Task;

    public ValueTask<ReadOnlyMemory<byte>> WaitAsync(MqRequest request, CancellationToken cancellationToken) =>
        ObserveAsync(async ct =>
        {
            _started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }, cancellationToken);

    /// <summary>Runs <paramref name="work"/> until its token fires, which is recorded.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ObserveAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await work(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _cancelled.TrySetResult();
            throw;
        }

        return default;
    }
}
