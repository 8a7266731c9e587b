using System.Runtime.CompilerServices;

namespace Mq.Client;

/// <summary>
/// A watch of some keys of a bucket (<see cref="MqKeyValue.WatchAsync"/>): their current revisions first, then each
/// change, as <see cref="MqKeyValueEntry"/> (a delete or purge has <see cref="MqKeyValueEntry.Operation"/> saying so).
/// Enumerate it once; dispose it to stop.
/// </summary>
public sealed class MqKeyValueWatch : IAsyncEnumerable<MqKeyValueEntry>, IAsyncDisposable
{
    private readonly MqKeyValue _bucket;
    private readonly MqSubscription _consumer;
    private readonly ulong _initialRevision;
    private readonly TaskCompletionSource _initialDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal MqKeyValueWatch(MqKeyValue bucket, MqSubscription consumer, ulong initialRevision)
    {
        _bucket = bucket;
        _consumer = consumer;
        _initialRevision = initialRevision;
        if (initialRevision == 0)
        {
            _initialDone.TrySetResult();
        }
    }

    /// <summary>
    /// Completes once every key's value current when the watch began has been handed out (at once if there were none):
    /// what comes after it is a change. Set before the entry that completes it is yielded. If the newest of those values
    /// expires (the bucket's TTL) before it is delivered, this completes only with the next change.
    /// </summary>
    public Task InitialValuesDone => _initialDone.Task;

    public async IAsyncEnumerator<MqKeyValueEntry> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        await foreach (MqMessage message in _consumer.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            MqKeyValueEntry entry = _bucket.Entry(message);
            if (entry.Revision >= _initialRevision)
            {
                _initialDone.TrySetResult();
            }

            yield return entry;
        }
    }

    public ValueTask DisposeAsync()
    {
        _initialDone.TrySetCanceled();
        return _consumer.DisposeAsync();
    }
}
