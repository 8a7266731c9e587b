using Mq.Broker.Sessions;
using Mq.Protocol;

namespace Mq.Broker.Server;

/// <summary>
/// Encrypts every frame to a peer whose secure channel is up, on its way to the socket; frames to a connection
/// without a channel (its SECURE reply, refusals before it) pass as they are. The nonce advances only when the
/// inner sink took the frame: a refused frame stays with the engine (backlog, drops) and whatever it sends next
/// is sealed under the same nonce, which is then used for exactly one frame on the wire.
/// </summary>
internal sealed class SealingSink(IFrameSink inner) : IFrameSink
{
    private byte[] _buffer = new byte[ProtocolLimits.BatchBytes + ProtocolLimits.ChannelOverhead];

    public SendOutcome Send(PeerSession session, ReadOnlySpan<byte> frame)
    {
        if (session.Channel is not { } channel)
        {
            return inner.Send(session, frame);
        }

        int length = frame.Length + ProtocolLimits.ChannelOverhead;
        if (_buffer.Length < length)
        {
            _buffer = new byte[length];
        }

        channel.Send.Seal(frame, _buffer);
        SendOutcome outcome = inner.Send(session, _buffer.AsSpan(0, length));
        if (outcome == SendOutcome.Sent)
        {
            channel.Send.Advance();
        }

        return outcome;
    }

    public void Established(PeerSession session) => inner.Established(session);

    public void Close(PeerSession session) => inner.Close(session);

    public long Queued(PeerSession session) => inner.Queued(session);
}
