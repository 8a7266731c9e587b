using System.Buffers;
using MessagePack;
using Mq.Protocol;

namespace Mq.UnitTests.Protocol;

public sealed class CommandRoundTripTests
{
    [Fact]
    public void A_publish_and_its_delivery_keep_every_field()
    {
        var headers = new Dictionary<string, string> { ["content-type"] = "application/msgpack", ["trace"] = "t" };
        byte[] frame = Frame((ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "orders.eu", headers, [1, 2, 3]));

        var reader = new CommandReader(frame);
        Assert.Equal(CommandCode.Pub, reader.ReadCommand());
        ReadOnlyMemory<byte> subject = reader.ReadUtf8(256);
        ReadOnlyMemory<byte> rawHeaders = reader.ReadHeadersRaw();
        ReadOnlyMemory<byte> payload = reader.ReadBinary();
        reader.EndCommand();
        Assert.True(reader.End);

        byte[] delivery = Frame((ref MessagePackWriter w) => CommandWriter.WriteMsg(ref w, 7, 42, subject.Span, rawHeaders.Span, payload.Span));
        var msg = new CommandReader(delivery);
        Assert.Equal(CommandCode.Msg, msg.ReadCommand());
        Assert.Equal(7UL, msg.ReadUInt());
        Assert.Equal(42UL, msg.ReadUInt());
        Assert.Equal("orders.eu", msg.ReadString(256));
        Assert.Equal(headers, Mq.Client.Connection.HeaderCodec.Decode(msg.ReadHeadersRaw()));
        Assert.Equal([1, 2, 3], msg.ReadBinary().ToArray());
    }

    [Fact]
    public void Missing_headers_read_as_empty_and_forward_as_nil()
    {
        byte[] frame = Frame((ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "a", null, []));
        var reader = new CommandReader(frame);
        reader.ReadCommand();
        reader.ReadUtf8(256);
        Assert.True(reader.ReadHeadersRaw().IsEmpty);
        Assert.Null(Mq.Client.Connection.HeaderCodec.Decode(ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public void Requests_and_replies_keep_ids_status_and_error()
    {
        byte[] frame = Frame((ref MessagePackWriter w) =>
        {
            CommandWriter.WriteReq(ref w, 5, "inventory.get", 1500, null, [9]);
            CommandWriter.WriteRep(ref w, 81, ErrorCode.RemoteError, "boom", null, []);
        });

        var reader = new CommandReader(frame);
        Assert.Equal(CommandCode.Req, reader.ReadCommand());
        Assert.Equal(5UL, reader.ReadUInt());
        Assert.Equal("inventory.get", reader.ReadString(256));
        Assert.Equal(1500UL, reader.ReadUInt());
        reader.ReadHeadersRaw();
        Assert.Equal([9], reader.ReadBinary().ToArray());
        reader.EndCommand();

        Assert.Equal(CommandCode.Rep, reader.ReadCommand());
        Assert.Equal(81UL, reader.ReadUInt());
        Assert.Equal((ulong)ErrorCode.RemoteError, reader.ReadUInt());
        Assert.Equal("boom", reader.ReadStringOrNil(1024));
        reader.EndCommand();
        Assert.True(reader.End);
    }

    [Fact]
    public void Handshake_settings_round_trip_by_type()
    {
        var settings = new Dictionary<string, object?> { ["heartbeat_ms"] = 1000L, ["broker"] = "b", ["flag"] = true, ["nothing"] = null };
        byte[] frame = Frame((ref MessagePackWriter w) => CommandWriter.WriteWelcome(ref w, 1, "peer-1", settings));
        var reader = new CommandReader(frame);
        reader.ReadCommand();
        reader.ReadUInt();
        reader.ReadString(128);
        Assert.Equal(settings, reader.ReadSettings());
    }

    [Fact]
    public void Extra_trailing_fields_from_a_newer_peer_are_skipped()
    {
        byte[] frame = Frame((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(4);
            w.Write((byte)CommandCode.Ok);
            w.Write(3UL);
            w.Write("future field");
            w.WriteMapHeader(0);
            CommandWriter.WriteOk(ref w, 4);
        });

        var reader = new CommandReader(frame);
        reader.ReadCommand();
        Assert.Equal(3UL, reader.ReadUInt());
        reader.EndCommand();
        reader.ReadCommand();
        Assert.Equal(4UL, reader.ReadUInt());
    }

    [Theory]
    [InlineData(new byte[] { 0x01 }, "must be a MessagePack array")]
    [InlineData(new byte[] { 0x90 }, "cannot be empty")]
    [InlineData(new byte[] { 0x91, 0xa1, 0x61 }, "integer code")]
    [InlineData(new byte[] { 0x93, 0x06 }, "malformed")]
    public void Broken_commands_are_malformed(byte[] frame, string reason)
    {
        ProtocolException error = Assert.Throws<ProtocolException>(() =>
        {
            var reader = new CommandReader(frame);
            reader.ReadCommand();
            reader.EndCommand();
        });
        Assert.Equal(ErrorCode.Malformed, error.Code);
        Assert.Contains(reason, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Too_few_fields_and_wrong_types_are_malformed()
    {
        byte[] shortOk = Frame((ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write((byte)CommandCode.Ok); });
        Assert.Contains("too few fields", ReadFirstUInt(shortOk).Message);

        byte[] stringRef = Frame((ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write((byte)CommandCode.Ok); w.Write("x"); });
        Assert.Contains("unsigned integer", ReadFirstUInt(stringRef).Message);
    }

    [Fact]
    public void Headers_must_be_a_string_map_within_the_limit()
    {
        byte[] numbers = Frame((ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write((byte)CommandCode.Pub); w.WriteMapHeader(1); w.Write(1); w.Write(2); });
        Assert.Contains("strings", ReadHeaders(numbers).Message);

        var huge = new Dictionary<string, string> { ["k"] = new string('v', ProtocolLimits.MaxHeaderBytes) };
        byte[] tooLarge = Frame((ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write((byte)CommandCode.Pub); CommandWriter.WriteHeaders(ref w, huge); });
        Assert.Equal(ErrorCode.TooLarge, ReadHeaders(tooLarge).Code);
    }

    [Fact]
    public void An_oversized_string_field_is_too_large()
    {
        byte[] frame = Frame((ref MessagePackWriter w) => CommandWriter.WritePub(ref w, new string('a', 300), null, []));
        ProtocolException error = Assert.Throws<ProtocolException>(() =>
        {
            var reader = new CommandReader(frame);
            reader.ReadCommand();
            reader.ReadUtf8(ProtocolLimits.MaxSubjectBytes);
        });
        Assert.Equal(ErrorCode.TooLarge, error.Code);
    }

    private delegate void Write(ref MessagePackWriter writer);

    private static byte[] Frame(Write write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static ProtocolException ReadFirstUInt(byte[] frame) => Assert.Throws<ProtocolException>(() =>
    {
        var reader = new CommandReader(frame);
        reader.ReadCommand();
        reader.ReadUInt();
    });

    private static ProtocolException ReadHeaders(byte[] frame) => Assert.Throws<ProtocolException>(() =>
    {
        var reader = new CommandReader(frame);
        reader.ReadCommand();
        reader.ReadHeadersRaw();
    });
}
