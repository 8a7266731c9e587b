using System.Runtime.CompilerServices;
using Mq.Rpc;

namespace Mq.IntegrationTests.Rpc;

/// <summary>An <see cref="IWarehouse"/> that signals what its calls saw: a hold begun and cancelled, a stream ended.</summary>
public sealed class Warehouse : IWarehouse
{
    public TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource HoldCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set with the rows produced when a rows stream ends, whether run out or cancelled.</summary>
    public TaskCompletionSource<int> RowsEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<int> BuildAsync(int steps, IProgress<int> progress, CancellationToken cancellationToken)
    {
        for (int step = 1; step <= steps; step++)
        {
            progress.Report(step);
        }

        return Task.FromResult(steps);
    }

    public async IAsyncEnumerable<int> RowsAsync(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        int produced = 0;
        try
        {
            for (; produced < count; produced++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return produced;
            }
        }
        finally
        {
            RowsEnded.TrySetResult(produced);
        }

        await Task.CompletedTask;
    }

    public async IAsyncEnumerable<int> FailingRowsAsync(int before)
    {
        for (int row = 0; row < before; row++)
        {
            yield return row;
        }

        await Task.CompletedTask;
        throw new InvalidOperationException($"the shelf broke after {before} rows");
    }

    public ValueTask<int> TakeAsync(string sku, int quantity) =>
        quantity <= 2 ? ValueTask.FromResult(quantity) : throw new MqFaultException<OutOfStock>(new OutOfStock(sku, 2), $"only 2 of {sku} left");

    public ValueTask<int> TakeUndeclaredAsync(string sku) => throw new MqFaultException<OutOfStock>(new OutOfStock(sku, 0), $"no {sku} left");

    public async Task HoldAsync(CancellationToken cancellationToken)
    {
        Holding.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            HoldCancelled.TrySetResult();
            throw;
        }
    }
}
