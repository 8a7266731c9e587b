namespace Mq.Broker.Streams;

/// <summary>Where a stream keeps its messages.</summary>
public enum StreamStorage
{
    /// <summary>Segment files under <c>Broker:StoreDirectory</c>: they survive a broker restart.</summary>
    File = 0,
    /// <summary>The broker's memory: gone when it stops; replay and limits work as for files.</summary>
    Memory = 1,
}
