using MessagePack;

namespace Mq.Protocol;

/// <summary>Request/reply commands: serving, requests and replies, cancellation and streamed parts with their credit.</summary>
public static partial class CommandWriter
{
    public static void WriteServe(ref MessagePackWriter w, ulong reference, string service) =>
        WriteServiceCommand(ref w, CommandCode.Serve, reference, service);

    public static void WriteUnserve(ref MessagePackWriter w, ulong reference, string service) =>
        WriteServiceCommand(ref w, CommandCode.Unserve, reference, service);

    public static void WriteReq(ref MessagePackWriter w, ulong rid, string service, uint timeoutMs, IReadOnlyDictionary<string, string>? headers, ReadOnlySpan<byte> payload) =>
        WriteReq(ref w, rid, service, timeoutMs, headers, payload, 0);

    /// <summary>A <paramref name="window"/> above zero asks for a streamed reply: the server may send that many parts before the first GRANT.</summary>
    public static void WriteReq(ref MessagePackWriter w, ulong rid, string service, uint timeoutMs, IReadOnlyDictionary<string, string>? headers, ReadOnlySpan<byte> payload, uint window)
    {
        w.WriteArrayHeader(window > 0 ? 7 : 6);
        w.Write((byte)CommandCode.Req);
        w.Write(rid);
        w.Write(service);
        w.Write(timeoutMs);
        WriteHeaders(ref w, headers);
        w.Write(payload);
        if (window > 0)
        {
            w.Write(window);
        }
    }

    /// <summary>Broker side: hands a request to the serving peer under the broker's own request id.</summary>
    public static void WriteRequest(ref MessagePackWriter w, ulong bid, ReadOnlySpan<byte> serviceUtf8, uint timeoutMs, ReadOnlySpan<byte> rawHeaders, ReadOnlySpan<byte> payload) =>
        WriteRequest(ref w, bid, serviceUtf8, timeoutMs, rawHeaders, payload, 0);

    /// <summary>Broker side: a <paramref name="window"/> above zero tells the server the reply is streamed, with that much credit to start.</summary>
    public static void WriteRequest(ref MessagePackWriter w, ulong bid, ReadOnlySpan<byte> serviceUtf8, uint timeoutMs, ReadOnlySpan<byte> rawHeaders, ReadOnlySpan<byte> payload, uint window)
    {
        w.WriteArrayHeader(window > 0 ? 7 : 6);
        w.Write((byte)CommandCode.Request);
        w.Write(bid);
        w.WriteString(serviceUtf8);
        w.Write(timeoutMs);
        WriteRawHeaders(ref w, rawHeaders);
        w.Write(payload);
        if (window > 0)
        {
            w.Write(window);
        }
    }

    public static void WriteCancel(ref MessagePackWriter w, ulong rid) => WriteIdCommand(ref w, CommandCode.Cancel, rid);

    public static void WriteAbort(ref MessagePackWriter w, ulong bid, string reason)
    {
        w.WriteArrayHeader(3);
        w.Write((byte)CommandCode.Abort);
        w.Write(bid);
        w.Write(reason);
    }

    public static void WriteRepPart(ref MessagePackWriter w, ulong bid, IReadOnlyDictionary<string, string>? headers, ReadOnlySpan<byte> payload)
    {
        w.WriteArrayHeader(4);
        w.Write((byte)CommandCode.RepPart);
        w.Write(bid);
        WriteHeaders(ref w, headers);
        w.Write(payload);
    }

    /// <summary>Broker side: forwards a server's part (header block and payload as it sent them) to the requester.</summary>
    public static void WriteReplyPart(ref MessagePackWriter w, ulong rid, ReadOnlySpan<byte> rawHeaders, ReadOnlySpan<byte> payload)
    {
        w.WriteArrayHeader(4);
        w.Write((byte)CommandCode.ReplyPart);
        w.Write(rid);
        WriteRawHeaders(ref w, rawHeaders);
        w.Write(payload);
    }

    public static void WriteGrant(ref MessagePackWriter w, ulong rid, uint count) => WriteIdCommand(ref w, CommandCode.Grant, rid, count);

    public static void WriteGranted(ref MessagePackWriter w, ulong bid, uint count) => WriteIdCommand(ref w, CommandCode.Granted, bid, count);

    public static void WriteRep(ref MessagePackWriter w, ulong bid, ErrorCode status, string? error, IReadOnlyDictionary<string, string>? headers, ReadOnlySpan<byte> payload)
    {
        w.WriteArrayHeader(6);
        w.Write((byte)CommandCode.Rep);
        w.Write(bid);
        w.Write((ushort)status);
        WriteStringOrNil(ref w, error);
        WriteHeaders(ref w, headers);
        w.Write(payload);
    }

    /// <summary>Broker side: the answer to a REQ, whether from a serving peer (raw parts forwarded) or from the broker itself.</summary>
    public static void WriteReply(ref MessagePackWriter w, ulong rid, ErrorCode status, ReadOnlySpan<byte> errorUtf8, ReadOnlySpan<byte> rawHeaders, ReadOnlySpan<byte> payload)
    {
        w.WriteArrayHeader(6);
        w.Write((byte)CommandCode.Reply);
        w.Write(rid);
        w.Write((ushort)status);
        if (errorUtf8.IsEmpty)
        {
            w.WriteNil();
        }
        else
        {
            w.WriteString(errorUtf8);
        }

        WriteRawHeaders(ref w, rawHeaders);
        w.Write(payload);
    }

    private static void WriteIdCommand(ref MessagePackWriter w, CommandCode code, ulong id)
    {
        w.WriteArrayHeader(2);
        w.Write((byte)code);
        w.Write(id);
    }

    private static void WriteIdCommand(ref MessagePackWriter w, CommandCode code, ulong id, uint count)
    {
        w.WriteArrayHeader(3);
        w.Write((byte)code);
        w.Write(id);
        w.Write(count);
    }
}
