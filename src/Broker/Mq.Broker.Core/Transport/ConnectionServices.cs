namespace Mq.Broker.Transport;

/// <summary>What every connection of one listener shares.</summary>
internal sealed record ConnectionServices(
    TransportSettings Settings,
    IConnectionHandler Handler,
    ConnectionLimits Limits,
    TransportCounters Counters,
    TransportLog Log,
    ReadOnlyMemory<byte> ConnectedFrame,
    Action<InboundBatch, long> Deliver);
