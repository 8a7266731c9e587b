namespace Mq.Broker.Transport;

/// <summary>Connection numbers, shared by every listener of a broker so that a key names one connection whatever its endpoint.</summary>
internal sealed class KeyCounter
{
    private uint _last;

    public uint Next() => Interlocked.Increment(ref _last);
}
