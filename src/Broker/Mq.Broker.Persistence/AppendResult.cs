namespace Mq.Broker.Persistence;

/// <summary>The sequences an append got: contiguous, message i of the batch has <see cref="FirstSequence"/> + i.</summary>
public readonly record struct AppendResult(ulong FirstSequence, int Count)
{
    public ulong LastSequence => FirstSequence + (ulong)Count - 1;

    public ulong this[int index] =>
        (uint)index < (uint)Count ? FirstSequence + (ulong)index : throw new ArgumentOutOfRangeException(nameof(index));
}
