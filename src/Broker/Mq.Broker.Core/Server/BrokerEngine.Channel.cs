using MessagePack;
using Mq.Broker.Sessions;
using Mq.Protocol;
using Mq.Security;

namespace Mq.Broker.Server;

/// <summary>
/// The secure channel on the broker's side (a key configured): the plaintext SECURE handshake that must come
/// first on every connection, and the decryption of every frame after it. Encryption is <see cref="SealingSink"/>.
/// </summary>
internal sealed partial class BrokerEngine
{
    private byte[] _plaintext = new byte[ProtocolLimits.BatchBytes];

    /// <summary>The CONNECTED frame NetMQ sends on every new connection; its exact bytes are the handshake's prologue.</summary>
    public byte[] ConnectedFrame { get; }

    private static byte[] BuildConnectedFrame(string brokerName)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        var w = new MessagePackWriter(buffer);
        CommandWriter.WriteConnected(ref w, ProtocolVersion.Supported, brokerName);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// With a key, turns <paramref name="frame"/> into the plaintext commands to dispatch; false when nothing is to be
    /// dispatched (the frame was the handshake, was refused, or ended the session by failing to decrypt).
    /// </summary>
    private bool Unseal(PeerSession session, ref ReadOnlyMemory<byte> frame, long now)
    {
        if (session.Channel is not { } channel)
        {
            OpenChannel(session, frame, now);
            return false;
        }

        int length = frame.Length - ProtocolLimits.ChannelOverhead;
        if (length > 0 && _plaintext.Length < length)
        {
            _plaintext = new byte[length];
        }

        if (length <= 0 || !channel.Receive.TryOpen(frame.Span, _plaintext))
        {
            // Altered, replayed, reordered, or sealed for another connection: nothing in it can be trusted, nor
            // anything after it, since the nonces no longer line up.
            _counters.ChannelFailures++;
            _writer.CountRefusal(session, ErrorCode.Malformed, "a frame failed to decrypt; the session ends", now);
            Close(session, "a frame failed to decrypt", now);
            return false;
        }

        frame = _plaintext.AsMemory(0, length);
        return true;
    }

    /// <summary>The first frame of a connection: SECURE with the peer's handshake message, answered with the broker's.</summary>
    private void OpenChannel(PeerSession session, ReadOnlyMemory<byte> frame, long now)
    {
        var reader = new CommandReader(frame);
        try
        {
            CommandCode code = reader.ReadCommand();
            if (code != CommandCode.Secure)
            {
                _writer.Refuse(session, 0, ErrorCode.EncryptionRequired,
                    $"this broker speaks only over the secure channel: send SECURE before {code} (docs/protocol.md section 13)", now);
                return;
            }

            ReadOnlyMemory<byte> message = reader.ReadBinary();
            reader.EndCommand();
            if (!reader.End)
            {
                _writer.Refuse(session, 0, ErrorCode.Malformed, "SECURE must be alone in its frame", now);
                return;
            }

            using NoiseHandshake handshake = NoiseHandshake.Responder(_channelKey!, ConnectedFrame);
            if (!handshake.ReadMessage1(message.Span))
            {
                _counters.ChannelFailures++;
                _writer.Refuse(session, 0, ErrorCode.Malformed,
                    "the SECURE handshake failed: its message was not made for this broker's public key and this connection", now);
                return;
            }

            (byte[] reply, SecureChannel channel) = handshake.WriteMessage2();
            MessagePackWriter w = _writer.Begin(session);
            CommandWriter.WriteSecure(ref w, reply);
            _writer.End(session, ref w, now);

            // The reply is the last plaintext frame: it must be out before the sink starts sealing for this peer.
            if (!_writer.FlushNow(session, now))
            {
                channel.Dispose();
                Close(session, "its queue was full during the secure handshake", now);
                return;
            }

            session.Channel = channel;
        }
        catch (ProtocolException ex)
        {
            _writer.Refuse(session, 0, ex.Code, ex.Message, now);
        }
    }

    /// <summary>SECURE once the session is past its first frame: the channel cannot be set up twice, and a broker without a key has none.</summary>
    private bool SecureAgain(PeerSession session, ref CommandReader reader, long now)
    {
        reader.SkipCommand();
        if (session.IsLocal)
        {
            _writer.Refuse(session, 0, ErrorCode.UnknownCommand,
                "the secure channel is not offered on a unix endpoint: the kernel's peer credentials say who the peer is, and the socket file's mode who may connect", now);
            return true;
        }

        if (_channelKey is null)
        {
            // What a broker that predates the channel answers too: a peer pinning a key fails the same way against both.
            _writer.Refuse(session, 0, ErrorCode.UnknownCommand, "this broker has no key; it speaks plaintext", now);
            return true;
        }

        _writer.Refuse(session, 0, ErrorCode.Malformed, "the secure channel of this connection is already up", now);
        return false;
    }
}
