namespace Mq.Broker.Persistence;

/// <summary>
/// What a stream holds. Sequences are gap-free from <see cref="FirstSequence"/> to <see cref="LastSequence"/>;
/// an empty stream has <see cref="FirstSequence"/> = <see cref="LastSequence"/> + 1 (so 1 and 0 when new).
/// </summary>
public readonly record struct StreamState(ulong FirstSequence, ulong LastSequence, long Messages, long Bytes);
