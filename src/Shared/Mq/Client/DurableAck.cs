namespace Mq.Client;

/// <summary>
/// The broker's answer to a durable publish: the message is in <see cref="Stream"/> at <see cref="Sequence"/>, stored
/// per that stream's fsync policy. <see cref="Duplicate"/>: its message id was already stored, at that sequence, and
/// nothing new was stored.
/// </summary>
public readonly record struct DurableAck(string Stream, ulong Sequence, bool Duplicate);
