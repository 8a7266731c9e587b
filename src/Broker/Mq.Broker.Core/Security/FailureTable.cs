namespace Mq.Broker.Security;

/// <summary>
/// Keys (sources or identities) with failed proofs in the last <see cref="QuietMs"/>, each with a bucket of
/// verifications (<see cref="FailureRecord"/>). Its size is fixed: past <c>capacity</c> keys, the one whose last
/// failure is oldest is forgotten, so no number of sources can grow the broker's memory through it.
/// </summary>
internal sealed class FailureTable(int capacity)
{
    /// <summary>A key with no failure for this long is clean again.</summary>
    public const long QuietMs = 60_000;

    /// <summary>Verifications a dirty key may have in a row, before it must wait for its bucket to refill.</summary>
    public const int Burst = 3;

    /// <summary>The refill delay after the first failure; each further failure doubles it, up to <see cref="MaxBackoffMs"/>.</summary>
    public const long FirstBackoffMs = 250;

    public const long MaxBackoffMs = 8_000;

    private readonly Dictionary<string, LinkedListNode<FailureRecord>> _index = new(StringComparer.Ordinal);

    // Ordered by last failure, oldest first: eviction and expiry both take from the front.
    private readonly LinkedList<FailureRecord> _byLastFailure = new();

    public int Count => _index.Count;

    /// <summary>The record of <paramref name="key"/> if it failed within <see cref="QuietMs"/>; null for a clean key.</summary>
    public FailureRecord? Dirty(string key, long now)
    {
        Expire(now);
        return _index.TryGetValue(key, out LinkedListNode<FailureRecord>? node) ? node.Value : null;
    }

    public void Fail(string key, long now)
    {
        Expire(now);
        if (_index.Remove(key, out LinkedListNode<FailureRecord>? node))
        {
            _byLastFailure.Remove(node);
        }
        else
        {
            if (_index.Count >= capacity)
            {
                _index.Remove(_byLastFailure.First!.Value.Key);
                _byLastFailure.RemoveFirst();
            }

            node = new LinkedListNode<FailureRecord>(new FailureRecord(key, now));
        }

        node.Value.Fail(now);
        _byLastFailure.AddLast(node);
        _index[key] = node;
    }

    private void Expire(long now)
    {
        while (_byLastFailure.First is { } oldest && now - oldest.Value.LastFailure >= QuietMs)
        {
            _index.Remove(oldest.Value.Key);
            _byLastFailure.RemoveFirst();
        }
    }
}
