namespace Mq.Broker.Persistence;

internal enum WriteKind
{
    Append,
    Purge,

    /// <summary>The timer's: fsync what waits for it (EveryMs) and drop what aged out (MaxAge).</summary>
    Tick,
}
