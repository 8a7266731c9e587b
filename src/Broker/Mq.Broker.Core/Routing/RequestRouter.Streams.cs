using MessagePack;
using Mq.Broker.Sessions;
using Mq.Protocol;

namespace Mq.Broker.Routing;

/// <summary>
/// CANCEL, REPPART and GRANT: a requester giving up, and streamed replies whose parts the server sends only within
/// the credit the requester granted, so a slow reader pauses its server instead of filling the broker.
/// </summary>
internal sealed partial class RequestRouter
{
    public void Cancel(PeerSession requester, ref CommandReader reader, long now)
    {
        ulong rid = reader.ReadUInt();
        reader.EndCommand();

        if (!requester.RequestsByRid.TryGetValue(rid, out PendingRequest? pending))
        {
            writer.Refuse(requester, rid, ErrorCode.UnknownRequest, $"this peer has no open request {rid} (never made, already answered, or expired)", now);
            return;
        }

        // The requester stopped waiting: it gets no REPLY, and its server stops working.
        Abandon(pending, "the requester cancelled", now);
    }

    public void Part(PeerSession server, ref CommandReader reader, long now)
    {
        ulong brokerId = reader.ReadUInt();
        ReadOnlyMemory<byte> headers = reader.ReadHeadersRaw();
        ReadOnlyMemory<byte> payload = reader.ReadBinary();
        reader.EndCommand();

        if (!_pending.TryGetValue(brokerId, out PendingRequest? pending) || pending.Server != server)
        {
            writer.Refuse(server, brokerId, ErrorCode.UnknownRequest, $"this peer holds no request {brokerId} (never sent to it, already answered, or expired)", now);
            return;
        }

        if (pending.Abandoned)
        {
            // On its way before the server read the ABORT.
            return;
        }

        if (!pending.IsStreamed)
        {
            // The request stays open: the server may still answer it with one REP.
            writer.Refuse(server, brokerId, ErrorCode.Malformed, $"request {brokerId} was not asked as a stream: answer it with one REP", now);
            return;
        }

        // A part lost would corrupt the stream, so a part the broker cannot pass on ends the request.
        if (payload.Length > options.MaxPayloadBytes)
        {
            writer.Refuse(server, brokerId, ErrorCode.TooLarge, $"part payload of {payload.Length} bytes exceeds the broker's limit of {options.MaxPayloadBytes}", now);
            Complete(pending, ErrorCode.RemoteError, "a part of the reply was larger than the broker accepts"u8, now);
            return;
        }

        if (pending.Credit <= 0)
        {
            writer.Refuse(server, brokerId, ErrorCode.LimitExceeded, $"part beyond the requester's credit for request {brokerId} (window {pending.Window}): wait for GRANTED", now);
            Complete(pending, ErrorCode.RemoteError, "the server sent more parts than the requester granted"u8, now);
            return;
        }

        pending.Credit--;
        pending.Touch(now);
        MessagePackWriter w = writer.Begin(pending.Requester);
        CommandWriter.WriteReplyPart(ref w, pending.RequesterId, headers.Span, payload.Span);
        writer.End(pending.Requester, ref w, now);
    }

    public void Grant(PeerSession requester, ref CommandReader reader, long now)
    {
        ulong rid = reader.ReadUInt();
        ulong count = reader.ReadUInt();
        reader.EndCommand();

        if (!requester.RequestsByRid.TryGetValue(rid, out PendingRequest? pending))
        {
            writer.Refuse(requester, rid, ErrorCode.UnknownRequest, $"this peer has no open request {rid} (never made, already answered, or expired)", now);
            return;
        }

        if (!pending.IsStreamed)
        {
            writer.Refuse(requester, rid, ErrorCode.Malformed, $"request {rid} was not asked as a stream: it has no credit to grant", now);
            return;
        }

        // A requester grants only for parts it read, so credit never passes the window; more is cut and refused.
        ulong room = (ulong)(pending.Window - pending.Credit);
        if (count > room)
        {
            writer.Refuse(requester, rid, ErrorCode.LimitExceeded, $"a grant of {count} takes request {rid} beyond its window of {pending.Window} (room for {room})", now);
            count = room;
        }

        pending.Touch(now);
        if (count == 0)
        {
            return;
        }

        pending.Credit += (long)count;
        MessagePackWriter w = writer.Begin(pending.Server);
        CommandWriter.WriteGranted(ref w, pending.BrokerId, (uint)count);
        writer.End(pending.Server, ref w, now);
    }
}
