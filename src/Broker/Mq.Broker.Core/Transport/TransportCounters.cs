namespace Mq.Broker.Transport;

/// <summary>
/// What the transport refused or ended, counted from the accept loop and every connection's own tasks (so with
/// <see cref="Interlocked"/>); read into <see cref="Server.BrokerStats"/>.
/// </summary>
internal sealed class TransportCounters
{
    public long ConnectionsAccepted;
    public long ConnectionsCapped;
    public long HandshakesRefused;
    public long HandshakesTimedOut;
    public long FramingErrors;
}
