namespace Mq.Broker.Persistence;

/// <summary>A message as stored: its stream sequence and the time it was stored (unix milliseconds, never decreasing).</summary>
public readonly record struct StoredMessage(
    ulong Sequence, long Timestamp, string Subject, ReadOnlyMemory<byte> Headers, ReadOnlyMemory<byte> Payload);
