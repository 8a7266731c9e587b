using System.Buffers;
using MessagePack;
using Mq.Protocol;

namespace Mq.UnitTests;

/// <summary>
/// Builds frames for the tests: <see cref="Build"/> for anything written by hand, and one short builder per
/// command a peer sends. Several builders' results passed to <see cref="Batch"/> make one multi-command frame.
/// </summary>
internal static class Frames
{
    public delegate void Write(ref MessagePackWriter writer);

    /// <summary>The bytes written by <paramref name="write"/>, flushed.</summary>
    public static byte[] Build(Write write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Commands back to back: one batch frame.</summary>
    public static byte[] Batch(params byte[][] commands) => [.. commands.SelectMany(c => c)];

    public static string Hex(ReadOnlySpan<byte> bytes) => string.Join(' ', bytes.ToArray().Select(b => b.ToString("x2")));

    public static byte[] Hello(string name = "peer", int version = ProtocolVersion.Current) =>
        Build((ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, version, name, null));

    public static byte[] Heartbeat() => Build((ref MessagePackWriter w) => CommandWriter.WriteHeartbeat(ref w));

    public static byte[] Bye(string reason = "done") => Build((ref MessagePackWriter w) => CommandWriter.WriteBye(ref w, reason));

    public static byte[] Ping(ulong reference) => Build((ref MessagePackWriter w) => CommandWriter.WritePing(ref w, reference));

    public static byte[] Pub(string subject, byte[]? payload = null, IReadOnlyDictionary<string, string>? headers = null) =>
        Build((ref MessagePackWriter w) => CommandWriter.WritePub(ref w, subject, headers, payload ?? []));

    public static byte[] Sub(ulong reference, ulong sid, string pattern, string? group = null, uint window = 0) =>
        Build((ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, reference, sid, pattern, group, window));

    public static byte[] Auth(string identity, byte[] signature) => Build((ref MessagePackWriter w) => CommandWriter.WriteAuth(ref w, identity, signature));

    public static byte[] Ack(ulong sid, uint count) => Build((ref MessagePackWriter w) => CommandWriter.WriteAck(ref w, sid, count));

    public static byte[] Unsub(ulong reference, ulong sid) => Build((ref MessagePackWriter w) => CommandWriter.WriteUnsub(ref w, reference, sid));

    public static byte[] Serve(ulong reference, string service) => Build((ref MessagePackWriter w) => CommandWriter.WriteServe(ref w, reference, service));

    public static byte[] Unserve(ulong reference, string service) => Build((ref MessagePackWriter w) => CommandWriter.WriteUnserve(ref w, reference, service));

    public static byte[] Req(ulong rid, string service, uint timeoutMs = 5000, byte[]? payload = null, IReadOnlyDictionary<string, string>? headers = null) =>
        Build((ref MessagePackWriter w) => CommandWriter.WriteReq(ref w, rid, service, timeoutMs, headers, payload ?? []));

    public static byte[] Rep(ulong bid, byte[]? payload = null, ErrorCode status = ErrorCode.None, string? error = null, IReadOnlyDictionary<string, string>? headers = null) =>
        Build((ref MessagePackWriter w) => CommandWriter.WriteRep(ref w, bid, status, error, headers, payload ?? []));

    /// <summary>A REQ asking for a streamed reply with <paramref name="window"/> parts of credit.</summary>
    public static byte[] StreamReq(ulong rid, string service, uint window, uint timeoutMs = 5000) =>
        Build((ref MessagePackWriter w) => CommandWriter.WriteReq(ref w, rid, service, timeoutMs, null, [], window));

    public static byte[] Cancel(ulong rid) => Build((ref MessagePackWriter w) => CommandWriter.WriteCancel(ref w, rid));

    public static byte[] RepPart(ulong bid, byte[]? payload = null, IReadOnlyDictionary<string, string>? headers = null) =>
        Build((ref MessagePackWriter w) => CommandWriter.WriteRepPart(ref w, bid, headers, payload ?? []));

    public static byte[] Grant(ulong rid, uint count) => Build((ref MessagePackWriter w) => CommandWriter.WriteGrant(ref w, rid, count));

    /// <summary>A header block as <see cref="CommandReader.ReadHeadersRaw"/> returns it, decoded (null for nil) as the client decodes it.</summary>
    public static IReadOnlyDictionary<string, string>? DecodeHeaders(ReadOnlyMemory<byte> raw) => Mq.Client.Connection.HeaderCodec.Decode(raw);
}
