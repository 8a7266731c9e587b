using System.Buffers;
using MessagePack;
using Mq.Protocol;
using Mq.Security;

namespace Mq.IntegrationTests.Infrastructure;

/// <summary>
/// The peer's end of the secure channel for the raw test peers, which speak the protocol by hand: SECURE from the
/// CONNECTED frame, the broker's SECURE answer, then every Mq frame sealed one way and opened the other.
/// </summary>
public sealed class PeerChannelEnd : IDisposable
{
    private readonly NoiseHandshake _handshake;
    private SecureChannel? _channel;

    /// <summary>Starts the handshake with the broker holding <paramref name="brokerPublicKeyZ85"/>'s secret; <see cref="FirstFrame"/> is what to send.</summary>
    public PeerChannelEnd(string brokerPublicKeyZ85, byte[] connectedFrame)
    {
        _handshake = NoiseHandshake.Initiator(CurveKeys.PublicKeyBytes(brokerPublicKeyZ85, "the broker public key"), connectedFrame);
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        CommandWriter.WriteSecure(ref writer, _handshake.WriteMessage1());
        writer.Flush();
        FirstFrame = buffer.WrittenSpan.ToArray();
    }

    /// <summary>The SECURE frame (plaintext) that opens the handshake.</summary>
    public byte[] FirstFrame { get; }

    /// <summary>The channel's handshake hash, which an identity proof signs.</summary>
    public byte[] HandshakeHash => Channel.HandshakeHash;

    private SecureChannel Channel => _channel ?? throw new InvalidOperationException("the secure channel is not up");

    /// <summary>Completes the channel with the broker's answer, a plaintext SECURE frame.</summary>
    public void Complete(byte[] answerFrame)
    {
        var reader = new CommandReader(answerFrame);
        CommandCode code = reader.ReadCommand();
        if (code != CommandCode.Secure)
        {
            throw new InvalidOperationException($"expected SECURE, got {code}");
        }

        _channel = _handshake.ReadMessage2(reader.ReadBinary().Span) ?? throw new InvalidOperationException("the broker's SECURE did not complete the handshake");
    }

    public byte[] Seal(ReadOnlySpan<byte> frame)
    {
        byte[] sealedFrame = new byte[frame.Length + ChannelCipher.TagBytes];
        Channel.Send.Seal(frame, sealedFrame);
        Channel.Send.Advance();
        return sealedFrame;
    }

    public byte[] Open(byte[] sealedFrame)
    {
        byte[] frame = new byte[sealedFrame.Length - ChannelCipher.TagBytes];
        return Channel.Receive.TryOpen(sealedFrame, frame) ? frame : throw new InvalidOperationException("a frame from the broker did not decrypt");
    }

    public void Dispose()
    {
        _handshake.Dispose();
        _channel?.Dispose();
    }
}
