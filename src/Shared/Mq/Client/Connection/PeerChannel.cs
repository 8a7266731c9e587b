using Mq.Security;

namespace Mq.Client.Connection;

/// <summary>
/// Socket thread: the peer's end of the secure channel to a broker whose public key it pinned. A new connection
/// (CONNECTED) starts a handshake; the broker's SECURE answer either proves it holds the key and opens the channel,
/// or the connection is refused. Failures back off (doubling, up to the reconnect maximum) before the next try.
/// </summary>
internal sealed class PeerChannel(byte[] brokerKey, TimeSpan firstDelay, TimeSpan maxDelay) : IDisposable
{
    private NoiseHandshake? _handshake;
    private TimeSpan _delay = TimeSpan.Zero;

    /// <summary>The channel of the current connection, or null before its handshake finished.</summary>
    public SecureChannel? Channel { get; private set; }

    public bool Handshaking => _handshake is not null;

    /// <summary>The last reason a connection was refused, for the error a caller of ConnectAsync sees.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>A new connection announced by <paramref name="connectedFrame"/> (its exact bytes): the first handshake message to send.</summary>
    public byte[] Start(ReadOnlySpan<byte> connectedFrame)
    {
        Reset();
        _handshake = NoiseHandshake.Initiator(brokerKey, connectedFrame);
        return _handshake.WriteMessage1();
    }

    /// <summary>The broker's answer; true if it proved it holds the key and the channel is up.</summary>
    public bool Finish(ReadOnlySpan<byte> message)
    {
        SecureChannel? channel = _handshake?.ReadMessage2(message);
        _handshake?.Dispose();
        _handshake = null;
        Channel = channel;
        if (channel is not null)
        {
            _delay = TimeSpan.Zero;
            LastFailure = null;
        }

        return channel is not null;
    }

    /// <summary>The connection was refused: forget its state; returns how long to wait before connecting again.</summary>
    public TimeSpan Fail(string reason)
    {
        Reset();
        LastFailure = reason;
        _delay = _delay == TimeSpan.Zero ? firstDelay : TimeSpan.FromTicks(Math.Min(maxDelay.Ticks, _delay.Ticks * 2));
        return _delay;
    }

    public void Reset()
    {
        _handshake?.Dispose();
        _handshake = null;
        Channel?.Dispose();
        Channel = null;
    }

    public void Dispose() => Reset();
}
