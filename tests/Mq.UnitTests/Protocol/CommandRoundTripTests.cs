using MessagePack;
using Mq.Protocol;

namespace Mq.UnitTests.Protocol;

/// <summary>Every command written by <see cref="CommandWriter"/> reads back field for field with <see cref="CommandReader"/>.</summary>
public sealed class CommandRoundTripTests
{
    private static readonly Dictionary<string, string> Headers = new() { ["content-type"] = "application/msgpack", ["trace"] = "t-1" };

    [Fact]
    public void Connected_hello_and_welcome()
    {
        var settings = new Dictionary<string, object?> { ["heartbeat_ms"] = 1000L, ["broker"] = "b", ["flag"] = true, ["blob"] = new byte[] { 1, 2 }, ["nothing"] = null };
        var reader = new CommandReader(Frames.Batch(
            Frames.Build((ref MessagePackWriter w) => CommandWriter.WriteConnected(ref w, [1, 2, 300], "mq-broker")),
            Frames.Build((ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, 1, "orders-svc", null)),
            Frames.Build((ref MessagePackWriter w) => CommandWriter.WriteWelcome(ref w, 1, "peer-7", settings))));

        Assert.Equal(CommandCode.Connected, reader.ReadCommand());
        Assert.Equal([1, 2, 300], reader.ReadIntArray(8));
        Assert.Equal("mq-broker", reader.ReadString(128));
        reader.EndCommand();

        Assert.Equal(CommandCode.Hello, reader.ReadCommand());
        Assert.Equal(1UL, reader.ReadUInt());
        Assert.Equal("orders-svc", reader.ReadString(128));
        Assert.Empty(reader.ReadSettings());
        reader.EndCommand();

        Assert.Equal(CommandCode.Welcome, reader.ReadCommand());
        Assert.Equal(1UL, reader.ReadUInt());
        Assert.Equal("peer-7", reader.ReadString(128));
        Assert.Equal(settings, reader.ReadSettings());
        reader.EndCommand();
        Assert.True(reader.End);
    }

    [Fact]
    public void Heartbeat_bye_ping_ok_and_error()
    {
        var reader = new CommandReader(Frames.Batch(
            Frames.Heartbeat(),
            Frames.Bye("peer closing"),
            Frames.Ping(ulong.MaxValue),
            Frames.Build((ref MessagePackWriter w) => CommandWriter.WriteOk(ref w, 17)),
            Frames.Build((ref MessagePackWriter w) => CommandWriter.WriteError(ref w, 18, ErrorCode.Conflict, "sid 3 in use", CommandCode.Sub))));

        Assert.Equal(CommandCode.Heartbeat, reader.ReadCommand());
        reader.EndCommand();
        Assert.Equal(CommandCode.Bye, reader.ReadCommand());
        Assert.Equal("peer closing", reader.ReadString(128));
        reader.EndCommand();
        Assert.Equal(CommandCode.Ping, reader.ReadCommand());
        Assert.Equal(ulong.MaxValue, reader.ReadUInt());
        reader.EndCommand();
        Assert.Equal(CommandCode.Ok, reader.ReadCommand());
        Assert.Equal(17UL, reader.ReadUInt());
        reader.EndCommand();
        Assert.Equal(CommandCode.Error, reader.ReadCommand());
        Assert.Equal(18UL, reader.ReadUInt());
        Assert.Equal((ulong)ErrorCode.Conflict, reader.ReadUInt());
        Assert.Equal("sid 3 in use", reader.ReadString(128));
        Assert.Equal((ulong)CommandCode.Sub, reader.ReadUInt());
        reader.EndCommand();
        Assert.True(reader.End);
    }

    [Fact]
    public void Pub_sub_unsub_msg_and_dropped()
    {
        var reader = new CommandReader(Frames.Batch(
            Frames.Pub("orders.eu", [1, 2, 3], Headers),
            Frames.Sub(4, 5, "orders.>", "workers"),
            Frames.Sub(6, 7, "orders.*", null),
            Frames.Unsub(8, 5),
            Frames.Build((ref MessagePackWriter w) => CommandWriter.WriteMsg(ref w, 5, 42, "orders.eu"u8, HeaderBytes(), [9])),
            Frames.Build((ref MessagePackWriter w) => CommandWriter.WriteDropped(ref w, 5, 3, 45))));

        Assert.Equal(CommandCode.Pub, reader.ReadCommand());
        Assert.Equal("orders.eu", reader.ReadString(256));
        Assert.Equal(Headers, Frames.DecodeHeaders(reader.ReadHeadersRaw()));
        Assert.Equal([1, 2, 3], reader.ReadBinary().ToArray());
        reader.EndCommand();

        Assert.Equal(CommandCode.Sub, reader.ReadCommand());
        Assert.Equal((4UL, 5UL), (reader.ReadUInt(), reader.ReadUInt()));
        Assert.Equal("orders.>", reader.ReadString(256));
        Assert.Equal("workers", reader.ReadStringOrNil(128));
        reader.EndCommand();
        Assert.Equal(CommandCode.Sub, reader.ReadCommand());
        Assert.Equal((6UL, 7UL), (reader.ReadUInt(), reader.ReadUInt()));
        Assert.Equal("orders.*", reader.ReadString(256));
        Assert.Null(reader.ReadStringOrNil(128));
        reader.EndCommand();

        Assert.Equal(CommandCode.Unsub, reader.ReadCommand());
        Assert.Equal((8UL, 5UL), (reader.ReadUInt(), reader.ReadUInt()));
        reader.EndCommand();

        Assert.Equal(CommandCode.Msg, reader.ReadCommand());
        Assert.Equal((5UL, 42UL), (reader.ReadUInt(), reader.ReadUInt()));
        Assert.Equal("orders.eu", reader.ReadString(256));
        Assert.Equal(Headers, Frames.DecodeHeaders(reader.ReadHeadersRaw()));
        Assert.Equal([9], reader.ReadBinary().ToArray());
        reader.EndCommand();

        Assert.Equal(CommandCode.Dropped, reader.ReadCommand());
        Assert.Equal((5UL, 3UL, 45UL), (reader.ReadUInt(), reader.ReadUInt(), reader.ReadUInt()));
        reader.EndCommand();
        Assert.True(reader.End);
    }

    [Fact]
    public void Serve_unserve_req_request_rep_and_reply()
    {
        var reader = new CommandReader(Frames.Batch(
            Frames.Serve(1, "inventory.get"),
            Frames.Unserve(2, "inventory.get"),
            Frames.Req(5, "inventory.get", 1500, [9], Headers),
            Frames.Build((ref MessagePackWriter w) => CommandWriter.WriteRequest(ref w, 81, "inventory.get"u8, 1499, HeaderBytes(), [9])),
            Frames.Rep(81, [], ErrorCode.RemoteError, "boom", null),
            Frames.Build((ref MessagePackWriter w) => CommandWriter.WriteReply(ref w, 5, ErrorCode.None, default, HeaderBytes(), [8]))));

        Assert.Equal(CommandCode.Serve, reader.ReadCommand());
        Assert.Equal(1UL, reader.ReadUInt());
        Assert.Equal("inventory.get", reader.ReadString(256));
        reader.EndCommand();
        Assert.Equal(CommandCode.Unserve, reader.ReadCommand());
        Assert.Equal(2UL, reader.ReadUInt());
        Assert.Equal("inventory.get", reader.ReadString(256));
        reader.EndCommand();

        foreach ((CommandCode code, ulong id, ulong timeout) in new[] { (CommandCode.Req, 5UL, 1500UL), (CommandCode.Request, 81UL, 1499UL) })
        {
            Assert.Equal(code, reader.ReadCommand());
            Assert.Equal(id, reader.ReadUInt());
            Assert.Equal("inventory.get", reader.ReadString(256));
            Assert.Equal(timeout, reader.ReadUInt());
            Assert.Equal(Headers, Frames.DecodeHeaders(reader.ReadHeadersRaw()));
            Assert.Equal([9], reader.ReadBinary().ToArray());
            reader.EndCommand();
        }

        Assert.Equal(CommandCode.Rep, reader.ReadCommand());
        Assert.Equal(81UL, reader.ReadUInt());
        Assert.Equal((ulong)ErrorCode.RemoteError, reader.ReadUInt());
        Assert.Equal("boom", reader.ReadStringOrNil(1024));
        Assert.True(reader.ReadHeadersRaw().IsEmpty);
        Assert.Empty(reader.ReadBinary().ToArray());
        reader.EndCommand();

        Assert.Equal(CommandCode.Reply, reader.ReadCommand());
        Assert.Equal(5UL, reader.ReadUInt());
        Assert.Equal((ulong)ErrorCode.None, reader.ReadUInt());
        Assert.Null(reader.ReadStringOrNil(1024));
        Assert.Equal(Headers, Frames.DecodeHeaders(reader.ReadHeadersRaw()));
        Assert.Equal([8], reader.ReadBinary().ToArray());
        reader.EndCommand();
        Assert.True(reader.End);
    }

    [Fact]
    public void A_header_block_is_forwarded_byte_for_byte()
    {
        var reader = new CommandReader(Frames.Pub("a", [], Headers));
        reader.ReadCommand();
        reader.ReadUtf8(256);
        ReadOnlyMemory<byte> raw = reader.ReadHeadersRaw();
        Assert.Equal(HeaderBytes(), raw.ToArray());

        byte[] forwarded = Frames.Build((ref MessagePackWriter w) => CommandWriter.WriteMsg(ref w, 1, 1, "a"u8, raw.Span, []));
        Assert.Equal(Frames.Hex(HeaderBytes()), Frames.Hex(forwarded.AsSpan(6, HeaderBytes().Length)));
    }

    [Fact]
    public void Missing_or_empty_headers_are_written_as_nil_and_read_as_empty()
    {
        foreach (Dictionary<string, string>? headers in new[] { null, new Dictionary<string, string>() })
        {
            var reader = new CommandReader(Frames.Pub("a", [], headers));
            reader.ReadCommand();
            reader.ReadUtf8(256);
            Assert.True(reader.ReadHeadersRaw().IsEmpty);
        }

        Assert.Equal("96 0d 01 01 a1 61 c0 c4 00", Frames.Hex(Frames.Build((ref MessagePackWriter w) => CommandWriter.WriteMsg(ref w, 1, 1, "a"u8, default, []))));
    }

    [Fact]
    public void Extra_trailing_fields_from_a_newer_peer_are_skipped()
    {
        byte[] frame = Frames.Build((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(5);
            w.Write((byte)CommandCode.Ok);
            w.Write(3UL);
            w.Write("future field");
            w.WriteMapHeader(1);
            w.Write("k");
            w.WriteArrayHeader(2);
            w.Write(1);
            w.WriteNil();
            w.Write(new byte[] { 1, 2, 3 });
            CommandWriter.WriteOk(ref w, 4);
        });

        var reader = new CommandReader(frame);
        Assert.Equal(CommandCode.Ok, reader.ReadCommand());
        Assert.Equal(3UL, reader.ReadUInt());
        reader.EndCommand();
        Assert.Equal(CommandCode.Ok, reader.ReadCommand());
        Assert.Equal(4UL, reader.ReadUInt());
        reader.EndCommand();
        Assert.True(reader.End);
    }

    [Fact]
    public void Position_marks_where_each_command_of_a_batch_starts()
    {
        byte[] first = Frames.Ping(1);
        var reader = new CommandReader(Frames.Batch(first, Frames.Ping(2)));
        Assert.Equal(0, reader.Position);
        reader.ReadCommand();
        reader.SkipCommand();
        Assert.Equal(first.Length, reader.Position);
    }

    [Fact]
    public void A_code_above_255_reads_as_zero_so_it_is_unknown_to_everyone()
    {
        var reader = new CommandReader(Frames.Build((ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write(256 + (int)CommandCode.Pub); }));
        Assert.Equal((CommandCode)0, reader.ReadCommand());
    }

    private static byte[] HeaderBytes() => Frames.Build((ref MessagePackWriter w) => CommandWriter.WriteHeaders(ref w, Headers));
}
