namespace Mq.Security;

/// <summary>
/// An established secure channel: the cipher for each direction and the handshake hash that AUTH signs, so a proof
/// is bound to this channel and worthless to anyone who is not one of its two ends.
/// </summary>
internal sealed class SecureChannel(ChannelCipher send, ChannelCipher receive, byte[] handshakeHash) : IDisposable
{
    public ChannelCipher Send { get; } = send;

    public ChannelCipher Receive { get; } = receive;

    /// <summary>Noise's h after the second handshake message (32 bytes).</summary>
    public byte[] HandshakeHash { get; } = handshakeHash;

    public void Dispose()
    {
        Send.Dispose();
        Receive.Dispose();
    }
}
