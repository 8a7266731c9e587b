using Mq.Broker.Persistence;

namespace Mq.Broker.Streams;

/// <summary>
/// A stream kept in the broker's memory (storage Memory): the store's contract without files, for streams that need
/// replay but not survival. Its limits are a file stream's; its consumer positions live as long as it does.
/// </summary>
internal sealed class MemoryStreamStore(StreamOptions options) : IStreamStore, IConsumerPositions
{
    /// <summary>A record's framing in a file, counted here too so that MaxBytes means the same for both storages.</summary>
    private const int RecordOverhead = 32;

    private readonly object _lock = new();
    // Held messages are _messages[_start..]; the front is cut off in bulk so dropping the oldest stays cheap.
    private readonly List<StoredMessage> _messages = [];
    private int _start;
    private readonly Dictionary<string, ulong> _positions = new(StringComparer.Ordinal);
    private ulong _last;
    private long _bytes;
    private long _lastTimestamp;
    private bool _disposed;

    public string Name => options.Name;

    public StreamOptions Options => options;

    public StreamState State
    {
        get
        {
            lock (_lock)
            {
                return new StreamState(Held > 0 ? _messages[_start].Sequence : _last + 1, _last, Held, _bytes);
            }
        }
    }

    public IConsumerPositions Consumers => this;

    public async ValueTask<ulong> AppendAsync(StreamMessage message, CancellationToken cancellationToken = default) =>
        (await AppendAsync([message], cancellationToken)).FirstSequence;

    public ValueTask<AppendResult> AppendAsync(IReadOnlyList<StreamMessage> messages, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long now = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _lastTimestamp);
            DropExpired(now);
            long bytes = messages.Sum(Size);
            StreamLimits limits = options.Limits;
            if (limits.Discard == DiscardPolicy.New)
            {
                if (limits.MaxMessages is { } maxMessages && Held + messages.Count > maxMessages)
                {
                    throw new StreamFullException(Name, $"MaxMessages {maxMessages}");
                }

                if (limits.MaxBytes is { } maxBytes && _bytes + bytes > maxBytes)
                {
                    throw new StreamFullException(Name, $"MaxBytes {maxBytes}");
                }
            }

            ulong first = _last + 1;
            foreach (StreamMessage message in messages)
            {
                _messages.Add(new StoredMessage(++_last, now, message.Subject, message.Headers.ToArray(), message.Payload.ToArray()));
            }

            _bytes += bytes;
            _lastTimestamp = now;
            while ((limits.MaxMessages is { } max && Held > max) || (limits.MaxBytes is { } maxB && _bytes > maxB))
            {
                RemoveFirst();
            }

            return ValueTask.FromResult(new AppendResult(first, messages.Count));
        }
    }

    public ValueTask<IReadOnlyList<StoredMessage>> ReadAsync(ulong fromSequence, int maxMessages, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            DropExpired(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            if (Held == 0 || fromSequence > _last)
            {
                return ValueTask.FromResult<IReadOnlyList<StoredMessage>>([]);
            }

            // Sequences are gap-free from the first held, so a sequence is an index.
            int from = _start + (int)(Math.Max(fromSequence, _messages[_start].Sequence) - _messages[_start].Sequence);
            int count = Math.Min(Math.Min(maxMessages, 10_000), _messages.Count - from);
            return ValueTask.FromResult<IReadOnlyList<StoredMessage>>(_messages.GetRange(from, count));
        }
    }

    public ValueTask<ulong?> FindSequenceAsync(DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        long unix = time.ToUnixTimeMilliseconds();
        lock (_lock)
        {
            for (int i = _start; i < _messages.Count; i++)
            {
                if (_messages[i].Timestamp >= unix)
                {
                    return ValueTask.FromResult<ulong?>(_messages[i].Sequence);
                }
            }

            return ValueTask.FromResult<ulong?>(null);
        }
    }

    public ValueTask<long> PurgeAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            long removed = Held;
            _messages.Clear();
            _start = 0;
            _bytes = 0;
            return ValueTask.FromResult(removed);
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        return ValueTask.CompletedTask;
    }

    ValueTask<ulong?> IConsumerPositions.GetAsync(string consumer, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_positions.TryGetValue(consumer, out ulong floor) ? floor : (ulong?)null);
        }
    }

    ValueTask IConsumerPositions.SetAsync(string consumer, ulong acknowledgedFloor, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _positions[consumer] = acknowledgedFloor;
        }

        return ValueTask.CompletedTask;
    }

    ValueTask<bool> IConsumerPositions.DeleteAsync(string consumer, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_positions.Remove(consumer));
        }
    }

    ValueTask<IReadOnlyDictionary<string, ulong>> IConsumerPositions.GetAllAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyDictionary<string, ulong>>(new Dictionary<string, ulong>(_positions));
        }
    }

    private static long Size(StreamMessage message) =>
        RecordOverhead + System.Text.Encoding.UTF8.GetByteCount(message.Subject) + message.Headers.Length + message.Payload.Length;

    private void DropExpired(long now)
    {
        if (options.Limits.MaxAge is not { } age)
        {
            return;
        }

        long oldest = now - (long)age.TotalMilliseconds;
        while (Held > 0 && _messages[_start].Timestamp < oldest)
        {
            RemoveFirst();
        }
    }

    private void RemoveFirst()
    {
        StoredMessage first = _messages[_start];
        _messages[_start++] = default;
        _bytes -= Size(new StreamMessage(first.Subject, first.Headers, first.Payload));
        if (_start > 1024 && _start > _messages.Count / 2)
        {
            _messages.RemoveRange(0, _start);
            _start = 0;
        }
    }

    private int Held => _messages.Count - _start;
}
