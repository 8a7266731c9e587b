using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.Broker.Transport;

/// <summary>The broker options the transport applies, read once at start.</summary>
internal sealed record TransportSettings(
    long MaxFrameBytes,
    int SendQueueBytes,
    int ReceiveQueueBytes,
    TimeSpan HandshakeTimeout,
    int MaxPendingHandshakes,
    int MaxPendingHandshakesPerSource,
    int MaxConnectionsPerSource,
    int MaxConnections,
    UnixFileMode UnixSocketMode,
    string? UnixSocketGroup)
{
    /// <summary>A ZMTP command before the handshake ends (READY) may be at most this large: a few properties.</summary>
    public const int MaxHandshakeCommandBytes = 4096;

    /// <summary>How long a closing connection may take to send what is queued for it (a final BYE or ERROR).</summary>
    public static readonly TimeSpan CloseLinger = TimeSpan.FromSeconds(1);

    public static TransportSettings From(BrokerOptions options) => new(
        // Sealed frames carry the channel's tag on top of what a plaintext one may hold.
        ProtocolLimits.MaxFrameBytes(options.MaxPayloadBytes) + (options.Curve.Enabled ? ProtocolLimits.ChannelOverhead : 0),
        options.SendQueueBytes,
        options.ReceiveQueueBytes,
        options.HandshakeTimeout,
        options.MaxPendingHandshakes,
        options.MaxPendingHandshakesPerSource,
        options.MaxConnectionsPerSource,
        options.MaxConnections,
        (UnixFileMode)Convert.ToInt32(options.UnixSocketMode, 8),
        options.UnixSocketGroup);
}
