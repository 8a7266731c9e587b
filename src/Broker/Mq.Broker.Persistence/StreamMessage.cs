namespace Mq.Broker.Persistence;

/// <summary>
/// A message to append. Headers and payload are opaque bytes; the store reads them until the append's task
/// completes, so the caller keeps them unchanged until then.
/// </summary>
public readonly record struct StreamMessage(string Subject, ReadOnlyMemory<byte> Headers, ReadOnlyMemory<byte> Payload);
