using System.Buffers;
using System.Text;
using System.Text.Unicode;
using MessagePack;
using Mq.Broker.Sessions;
using Mq.Protocol;

namespace Mq.Broker.Routing;

/// <summary>What every REQ and REQALL passes before it is routed, and how a refused one is answered.</summary>
internal sealed partial class RequestRouter
{
    /// <summary>
    /// Decodes the service name into <paramref name="buffer"/> (its first <paramref name="length"/> chars) and makes the
    /// checks every REQ and REQALL passes first; false when one failed (and the requester was answered).
    /// </summary>
    private bool Admit(PeerSession requester, in Ask ask, Span<char> buffer, long now, out int length)
    {
        if (Utf8.ToUtf16(ask.Service.Span, buffer, out _, out length, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            Fail(requester, ask.Rid, ErrorCode.InvalidSubject, "service name is not valid UTF-8", now);
            return false;
        }

        ReadOnlySpan<char> name = buffer[..length];
        // A key-value read is checked by what it reads (subscribe permission), as a watch of the same keys would be.
        if (requester.Permissions is { } permissions && !permissions.CanRequest(name) && !Mq.Broker.Streams.StreamHost.IsKeyValueRead(name))
        {
            Fail(requester, ask.Rid, ErrorCode.PermissionDenied, $"request '{name}' is not allowed for identity '{requester.Identity!.Name}'", now);
            events.PermissionDenied(requester, "request", name.ToString(), now);
            return false;
        }

        if (ask.Payload.Length > options.MaxPayloadBytes)
        {
            Fail(requester, ask.Rid, ErrorCode.TooLarge, $"payload of {ask.Payload.Length} bytes exceeds the broker's limit of {options.MaxPayloadBytes}", now);
            return false;
        }

        return true;
    }

    /// <summary>Room for <paramref name="opening"/> more open requests of this peer (a scatter-gather opens one per server).</summary>
    private bool WithinOpenLimit(PeerSession requester, ulong rid, int opening, long now)
    {
        if (requester.MadeRequests.Count + opening > options.MaxOpenRequestsPerPeer)
        {
            Fail(requester, rid, ErrorCode.LimitExceeded, $"a peer may have at most {options.MaxOpenRequestsPerPeer} requests open", now);
            return false;
        }

        return true;
    }

    /// <summary>The request's time budget: 0 and anything above the broker's maximum mean the maximum.</summary>
    private long Budget(ulong timeoutMs)
    {
        long maxMs = (long)options.MaxRequestTimeout.TotalMilliseconds;
        return timeoutMs == 0 || (long)Math.Min(timeoutMs, long.MaxValue) > maxMs ? maxMs : (long)timeoutMs;
    }

    private void Fail(PeerSession requester, ulong rid, ErrorCode code, string message, long now)
    {
        if (code != ErrorCode.NoResponders)
        {
            writer.CountRefusal(requester, code, message, now);
        }

        MessagePackWriter w = writer.Begin(requester);
        CommandWriter.WriteReply(ref w, rid, code, Encoding.UTF8.GetBytes(message), default, default);
        writer.End(requester, ref w, now);
    }

    /// <summary>The fields REQ and REQALL share, in wire order; the caller reads its own trailing field and ends the command.</summary>
    private readonly record struct Ask(ulong Rid, ReadOnlyMemory<byte> Service, ulong TimeoutMs, ReadOnlyMemory<byte> Headers, ReadOnlyMemory<byte> Payload)
    {
        public static Ask Read(ref CommandReader reader) =>
            new(reader.ReadUInt(), reader.ReadUtf8(ProtocolLimits.MaxSubjectBytes), reader.ReadUInt(), reader.ReadHeadersRaw(), reader.ReadBinary());
    }
}
