namespace Mq.Broker.Server;

/// <summary>Something to do on the broker thread, at time <c>now</c> (milliseconds of a monotonic clock).</summary>
internal interface IBrokerWork
{
    void Run(long now);
}
