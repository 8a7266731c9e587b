namespace Mq.Broker.Persistence;

/// <summary>One unit of work for a stream's writer loop, which alone touches the files: appends, purges and timer ticks.</summary>
internal sealed class WriteRequest
{
    public static readonly WriteRequest Tick = new(WriteKind.Tick, null, default, 0, 0, default);

    private WriteRequest(WriteKind kind, IReadOnlyList<StreamMessage>? messages, StreamMessage single, int count, long bytes,
        CancellationToken cancellationToken)
    {
        Kind = kind;
        Messages = messages;
        Single = single;
        Count = count;
        Bytes = bytes;
        CancellationToken = cancellationToken;
        Completion = kind == WriteKind.Tick ? null : new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public WriteKind Kind { get; }

    public IReadOnlyList<StreamMessage>? Messages { get; }

    public StreamMessage Single { get; }

    public int Count { get; }

    /// <summary>The records' total size, computed by the caller so the writer loop only copies.</summary>
    public long Bytes { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>An append's first sequence, or the number of messages a purge removed.</summary>
    public TaskCompletionSource<ulong>? Completion { get; }

    public StreamMessage this[int index] => Messages is null ? Single : Messages[index];

    public static WriteRequest Append(StreamMessage single, long bytes, CancellationToken cancellationToken) =>
        new(WriteKind.Append, null, single, 1, bytes, cancellationToken);

    public static WriteRequest Append(IReadOnlyList<StreamMessage> messages, long bytes, CancellationToken cancellationToken) =>
        new(WriteKind.Append, messages, default, messages.Count, bytes, cancellationToken);

    public static WriteRequest Purge() => new(WriteKind.Purge, null, default, 0, 0, default);
}
