namespace Mq.Broker.Persistence;

/// <summary>
/// Durable consumer name to acknowledged floor sequence (everything at or below it is acknowledged). Every change
/// is fsync'd before its task completes, so a restart redelivers at most what was not acknowledged.
/// </summary>
public interface IConsumerPositions
{
    ValueTask<ulong?> GetAsync(string consumer, CancellationToken cancellationToken = default);

    ValueTask SetAsync(string consumer, ulong acknowledgedFloor, CancellationToken cancellationToken = default);

    ValueTask<bool> DeleteAsync(string consumer, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyDictionary<string, ulong>> GetAllAsync(CancellationToken cancellationToken = default);
}
