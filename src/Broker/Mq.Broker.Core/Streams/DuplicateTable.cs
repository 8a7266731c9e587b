namespace Mq.Broker.Streams;

/// <summary>
/// Message ids seen by one stream within its duplicate window, with the sequence each was stored at; expired ones
/// leave in the order they came. Broker thread only.
/// </summary>
internal sealed class DuplicateTable(TimeSpan window)
{
    private readonly Dictionary<string, ulong> _sequences = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, long Expires)> _order = new();
    private readonly long _windowMs = (long)window.TotalMilliseconds;

    public bool Enabled => _windowMs > 0;

    public int Count => _sequences.Count;

    public bool TryGet(string id, out ulong sequence) => _sequences.TryGetValue(id, out sequence);

    /// <summary>Remembers <paramref name="id"/> from <paramref name="storedAt"/> (unix ms) for the window.</summary>
    public void Add(string id, ulong sequence, long storedAt)
    {
        if (!Enabled || !_sequences.TryAdd(id, sequence))
        {
            return;
        }

        _order.Enqueue((id, storedAt + _windowMs));
    }

    public void Expire(long unixNow)
    {
        while (_order.TryPeek(out var oldest) && oldest.Expires <= unixNow)
        {
            _order.Dequeue();
            _sequences.Remove(oldest.Id);
        }
    }

    public void Clear()
    {
        _sequences.Clear();
        _order.Clear();
    }
}
