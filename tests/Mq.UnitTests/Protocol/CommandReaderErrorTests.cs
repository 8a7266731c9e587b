using MessagePack;
using Mq.Protocol;

namespace Mq.UnitTests.Protocol;

/// <summary>Whatever is wrong with a frame, <see cref="CommandReader"/> reports it as a <see cref="ProtocolException"/> with the right code.</summary>
public sealed class CommandReaderErrorTests
{
    [Theory]
    [InlineData(new byte[] { 0x01 }, "must be a MessagePack array")]
    [InlineData(new byte[] { 0x81, 0x01, 0x02 }, "must be a MessagePack array")]
    [InlineData(new byte[] { 0x90 }, "cannot be empty")]
    [InlineData(new byte[] { 0x91, 0xa1, 0x61 }, "integer code")]
    [InlineData(new byte[] { 0x91, 0xc0 }, "integer code")]
    [InlineData(new byte[] { 0x91, 0xff }, "malformed")]
    [InlineData(new byte[] { 0x93, 0x06 }, "malformed")]
    [InlineData(new byte[] { 0xdc, 0x00 }, "malformed")]
    [InlineData(new byte[] { 0xc1 }, "must be a MessagePack array")]
    public void Broken_command_headers_are_malformed(byte[] frame, string reason)
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
    public void Every_truncation_of_a_command_is_malformed()
    {
        byte[] frame = Frames.Req(5, "inventory.get", 1500, [1, 2, 3, 4], new Dictionary<string, string> { ["k"] = "v" });
        for (int length = 1; length < frame.Length; length++)
        {
            byte[] truncated = frame[..length];
            ProtocolException error = Assert.Throws<ProtocolException>(() => ReadReq(truncated));
            Assert.Equal(ErrorCode.Malformed, error.Code);
        }

        ReadReq(frame);
    }

    [Fact]
    public void An_array_header_claiming_more_than_the_frame_holds_is_malformed()
    {
        byte[] frame = [0xdd, 0x7f, 0xff, 0xff, 0xff, 0x06, 0x01];
        ProtocolException error = Assert.Throws<ProtocolException>(() => Read(frame, (ref CommandReader r) => r.ReadUInt()));
        Assert.Equal(ErrorCode.Malformed, error.Code);
    }

    [Fact]
    public void Reading_more_fields_than_the_command_has_is_too_few_fields()
    {
        byte[] shortOk = Frames.Build((ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write((byte)CommandCode.Ok); CommandWriter.WriteOk(ref w, 9); });
        ProtocolException error = Assert.Throws<ProtocolException>(() => Read(shortOk, (ref CommandReader r) => r.ReadUInt()));
        Assert.Equal(ErrorCode.Malformed, error.Code);
        Assert.Contains("too few fields", error.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0xa1, 0x31 }, "uint", "unsigned integer")]
    [InlineData(new byte[] { 0xff }, "uint", "malformed")]
    [InlineData(new byte[] { 0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, "uint", "malformed")]
    [InlineData(new byte[] { 0xca, 0x3f, 0x80, 0x00, 0x00 }, "uint", "unsigned integer")]
    [InlineData(new byte[] { 0xc0 }, "string", "got nil")]
    [InlineData(new byte[] { 0x07 }, "string?", "expected a string")]
    [InlineData(new byte[] { 0xc4, 0x01, 0x61 }, "string", "expected a string")]
    [InlineData(new byte[] { 0xa1, 0x70 }, "binary", "binary")]
    [InlineData(new byte[] { 0xc0 }, "binary", "binary")]
    [InlineData(new byte[] { 0xa1, 0x78 }, "settings", "settings must be a map")]
    [InlineData(new byte[] { 0x81, 0x01, 0x02 }, "settings", "malformed")]
    [InlineData(new byte[] { 0x80 }, "int array", "malformed")]
    public void A_field_of_the_wrong_type_is_malformed(byte[] field, string expected, string reason)
    {
        ReadField read = expected switch
        {
            "uint" => (ref CommandReader r) => r.ReadUInt(),
            "string" => (ref CommandReader r) => r.ReadUtf8(256),
            "string?" => (ref CommandReader r) => r.ReadStringOrNil(256),
            "binary" => (ref CommandReader r) => r.ReadBinary(),
            "settings" => (ref CommandReader r) => r.ReadSettings(),
            _ => (ref CommandReader r) => r.ReadIntArray(8),
        };

        ProtocolException error = Assert.Throws<ProtocolException>(() => Read(OneField(field), read));
        Assert.Equal(ErrorCode.Malformed, error.Code);
        Assert.Contains(reason, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(new byte[] { 0x91, 0xa1, 0x61 })] // an array
    [InlineData(new byte[] { 0xa3, 0x6b, 0x3d, 0x76 })] // the string "k=v"
    [InlineData(new byte[] { 0x81, 0x01, 0xa1, 0x76 })] // an integer key
    [InlineData(new byte[] { 0x81, 0xa1, 0x6b, 0x02 })] // an integer value
    [InlineData(new byte[] { 0x81, 0xa1, 0x6b, 0x80 })] // a map value
    [InlineData(new byte[] { 0x81, 0xa1, 0x6b, 0xc0 })] // a nil value
    [InlineData(new byte[] { 0x81, 0xa1, 0x6b })] // a key without its value
    public void Headers_must_be_nil_or_a_map_of_strings(byte[] headers)
    {
        ProtocolException error = Assert.Throws<ProtocolException>(() => Read(OneField(headers), (ref CommandReader r) => r.ReadHeadersRaw()));
        Assert.Equal(ErrorCode.Malformed, error.Code);
    }

    [Fact]
    public void A_map_header_whose_entry_count_overflows_when_doubled_is_malformed()
    {
        // 0x40000000 entries: count * 2 overflows int, which must not make the block look empty and valid.
        byte[] frame = [0x92, (byte)CommandCode.Pub, 0xdf, 0x40, 0x00, 0x00, 0x00, 0xa1, 0x6b, 0xa1, 0x76];
        ProtocolException error = Assert.Throws<ProtocolException>(() => Read(frame, (ref CommandReader r) => r.ReadHeadersRaw()));
        Assert.Equal(ErrorCode.Malformed, error.Code);
    }

    [Fact]
    public void Fields_over_their_limit_are_too_large()
    {
        byte[] longString = OneField((ref MessagePackWriter w) => w.Write(new string('a', 257)));
        Assert.Equal(ErrorCode.TooLarge, Assert.Throws<ProtocolException>(() => Read(longString, (ref CommandReader r) => r.ReadUtf8(256))).Code);
        Assert.Equal(ErrorCode.TooLarge, Assert.Throws<ProtocolException>(() => Read(longString, (ref CommandReader r) => r.ReadStringOrNil(256))).Code);
        Assert.Equal(257, Read(longString, (ref CommandReader r) => r.ReadUtf8(257)));

        var huge = new Dictionary<string, string> { ["k"] = new string('v', ProtocolLimits.MaxHeaderBytes) };
        byte[] bigHeaders = OneField((ref MessagePackWriter w) => CommandWriter.WriteHeaders(ref w, huge));
        ProtocolException error = Assert.Throws<ProtocolException>(() => Read(bigHeaders, (ref CommandReader r) => r.ReadHeadersRaw()));
        Assert.Equal(ErrorCode.TooLarge, error.Code);
        Assert.Contains("16384", error.Message);

        byte[] versions = OneField((ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(1); w.Write(2); w.Write(3); });
        Assert.Equal(ErrorCode.TooLarge, Assert.Throws<ProtocolException>(() => Read(versions, (ref CommandReader r) => r.ReadIntArray(2))).Code);
    }

    [Fact]
    public void A_header_block_of_exactly_the_limit_is_accepted()
    {
        // fixmap(1) + fixstr "k" + str16 header and value: 1 + 2 + 3 + n bytes.
        var headers = new Dictionary<string, string> { ["k"] = new string('v', ProtocolLimits.MaxHeaderBytes - 6) };
        byte[] frame = OneField((ref MessagePackWriter w) => CommandWriter.WriteHeaders(ref w, headers));
        Assert.Equal(ProtocolLimits.MaxHeaderBytes, Read(frame, (ref CommandReader r) => r.ReadHeadersRaw().Length));
    }

    private delegate object? ReadField(ref CommandReader reader);

    /// <summary>An OK-coded command with exactly the one field <paramref name="field"/> writes.</summary>
    private static byte[] OneField(Frames.Write field) => OneField(Frames.Build(field));

    /// <summary>An OK-coded command with exactly one field, given as its encoding.</summary>
    private static byte[] OneField(byte[] field) => [0x92, (byte)CommandCode.Ok, .. field];

    private static object? Read(byte[] frame, ReadField read)
    {
        var reader = new CommandReader(frame);
        reader.ReadCommand();
        object? value = read(ref reader);
        reader.EndCommand();
        return value is ReadOnlyMemory<byte> bytes ? bytes.Length : value;
    }

    private static void ReadReq(byte[] frame)
    {
        var reader = new CommandReader(frame);
        reader.ReadCommand();
        reader.ReadUInt();
        reader.ReadUtf8(256);
        reader.ReadUInt();
        reader.ReadHeadersRaw();
        reader.ReadBinary();
        reader.EndCommand();
    }
}
