namespace Mq.Broker.Persistence;

/// <summary>
/// One named, append-only sequence of messages. Appends from any number of callers are committed in groups; each
/// call's task completes when its messages are durable per the stream's <see cref="FsyncPolicy"/>. Thread-safe.
/// </summary>
public interface IStreamStore : IAsyncDisposable
{
    string Name { get; }

    StreamOptions Options { get; }

    StreamState State { get; }

    /// <summary>The durable consumers' acknowledged floors, stored with the stream.</summary>
    IConsumerPositions Consumers { get; }

    /// <summary>Appends one message and returns its sequence.</summary>
    /// <exception cref="StreamFullException">The stream's limits refuse new messages.</exception>
    /// <exception cref="StoreWriteException">The disk refused the write (full, read-only); nothing stored is lost.</exception>
    ValueTask<ulong> AppendAsync(StreamMessage message, CancellationToken cancellationToken = default);

    /// <summary>Appends the messages as one unit (all stored or none) with contiguous sequences.</summary>
    /// <inheritdoc cref="AppendAsync(StreamMessage, CancellationToken)"/>
    ValueTask<AppendResult> AppendAsync(IReadOnlyList<StreamMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="maxMessages"/> (at most 10,000, and about 4 MiB) messages from
    /// <paramref name="fromSequence"/> on, in order; starts at the first stored one if that is later, empty past the end.
    /// </summary>
    /// <exception cref="StoreCorruptException">A record read fails its checksum.</exception>
    ValueTask<IReadOnlyList<StoredMessage>> ReadAsync(ulong fromSequence, int maxMessages, CancellationToken cancellationToken = default);

    /// <summary>The first stored sequence with a timestamp at or after <paramref name="time"/>, or null if none.</summary>
    ValueTask<ulong?> FindSequenceAsync(DateTimeOffset time, CancellationToken cancellationToken = default);

    /// <summary>Removes every message (sequences go on from the last one) and returns how many were removed.</summary>
    ValueTask<long> PurgeAsync(CancellationToken cancellationToken = default);
}
