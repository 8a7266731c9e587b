using System.Text;
using System.Text.Json;
using Mq.Errors;
using Mq.Serialization;

namespace Mq.UnitTests.Serialization;

public sealed class SerializerTests
{
    private static readonly Parcel Sample = new() { Id = 7, To = "ada", Items = ["tea", "cake"] };

    public static TheoryData<string> Formats => [MqContentTypes.MessagePack, MqContentTypes.Json, MqContentTypes.Xml];

    private static IMqSerializer Serializer(string contentType) => contentType switch
    {
        MqContentTypes.Json => JsonMqSerializer.Default,
        MqContentTypes.Xml => XmlMqSerializer.Default,
        _ => MessagePackMqSerializer.Default,
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Every_built_in_format_reads_back_what_it_wrote_and_says_what_it_is(string contentType)
    {
        IMqSerializer serializer = Serializer(contentType);

        Parcel back = serializer.Deserialize<Parcel>(serializer.Serialize(Sample));

        Assert.Equal(contentType, serializer.ContentType);
        Assert.Equal(Sample with { Items = back.Items }, back);
        Assert.Equal(Sample.Items, back.Items);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Every_built_in_format_shows_a_payload_as_json_with_its_fields(string contentType)
    {
        IMqSerializer serializer = Serializer(contentType);

        using JsonDocument json = JsonDocument.Parse(serializer.ToJson(serializer.Serialize(Sample)));

        // XML's root element names the type; its leaves are text, having no number type.
        JsonElement parcel = contentType == MqContentTypes.Xml ? json.RootElement.GetProperty("Parcel") : json.RootElement;
        Assert.Equal("ada", parcel.GetProperty("to").GetString());
        Assert.Equal("7", parcel.GetProperty("id").ToString());
    }

    [Fact]
    public void The_registry_names_the_format_it_wrote_in_the_headers_and_reads_by_them()
    {
        var registry = new SerializerRegistry(JsonMqSerializer.Default, null, MqSerializer.DefaultOptions);

        (ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? headers) = registry.Serialize(Sample, null, new Dictionary<string, string> { ["trace"] = "t-1" });

        Assert.Equal(MqContentTypes.Json, headers![MqContentTypes.Header]);
        Assert.Equal("t-1", headers["trace"]);
        Assert.StartsWith("{", Encoding.UTF8.GetString(payload.Span), StringComparison.Ordinal);
        Assert.Equal(7, registry.Deserialize<Parcel>(headers, payload).Id);
    }

    [Fact]
    public void Raw_bytes_travel_as_they_are_with_no_content_type()
    {
        var registry = new SerializerRegistry(XmlMqSerializer.Default, null, MqSerializer.DefaultOptions);
        byte[] raw = [1, 2, 3];

        (ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? headers) = registry.Serialize(raw, null, null);

        Assert.Null(headers);
        Assert.Equal(raw, payload.ToArray());
        Assert.Equal(raw, registry.Deserialize<byte[]>(null, payload));
    }

    [Fact]
    public void A_payload_without_a_content_type_is_messagepack_and_parameters_and_case_do_not_matter()
    {
        var registry = new SerializerRegistry(null, null, MqSerializer.DefaultOptions);
        ReadOnlyMemory<byte> json = JsonMqSerializer.Default.Serialize(Sample);

        Assert.Equal(7, registry.Deserialize<Parcel>(null, MessagePackMqSerializer.Default.Serialize(Sample)).Id);
        Assert.Equal(7, registry.Deserialize<Parcel>(new Dictionary<string, string> { [MqContentTypes.Header] = "Application/JSON; charset=utf-8" }, json).Id);
    }

    [Fact]
    public void An_unknown_content_type_is_one_clear_error_naming_it_and_shows_as_bytes()
    {
        var registry = new SerializerRegistry(null, null, MqSerializer.DefaultOptions);
        var headers = new Dictionary<string, string> { [MqContentTypes.Header] = "application/cbor" };

        var error = Assert.Throws<UnreadablePayloadException>(() => registry.Deserialize<Parcel>(headers, new byte[] { 0xa0 }));

        Assert.Contains("application/cbor", error.Message, StringComparison.Ordinal);
        Assert.Contains("MqClientOptions.Serializers", error.Message, StringComparison.Ordinal);
        Assert.Equal("\"base64:oA==\"", registry.ToJson(headers, new byte[] { 0xa0 }));
    }

    [Fact]
    public void A_configured_serializer_is_read_by_its_content_type()
    {
        var shouting = new UpperJson();
        var registry = new SerializerRegistry(null, [shouting], MqSerializer.DefaultOptions);

        (ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? headers) = registry.Serialize("hi", shouting, null);

        Assert.Equal("text/x-upper", headers![MqContentTypes.Header]);
        Assert.Equal("HI", registry.Deserialize<string>(headers, payload));
    }

    [Fact]
    public void Xml_with_a_dtd_is_refused_so_no_entity_can_expand()
    {
        const string laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
            <Parcel><id>1</id><to>&lol2;</to></Parcel>
            """;

        Assert.Throws<UnreadablePayloadException>(() => XmlMqSerializer.Default.Deserialize<Parcel>(Encoding.UTF8.GetBytes(laughs)));
        Assert.StartsWith("\"base64:", XmlMqSerializer.Default.ToJson(Encoding.UTF8.GetBytes(laughs)), StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_json_and_xml_are_unreadable_payloads_and_show_as_bytes()
    {
        byte[] broken = Encoding.UTF8.GetBytes("{\"id\": ");

        Assert.Throws<UnreadablePayloadException>(() => JsonMqSerializer.Default.Deserialize<Parcel>(broken));
        Assert.Throws<UnreadablePayloadException>(() => XmlMqSerializer.Default.Deserialize<Parcel>(broken));
        Assert.StartsWith("\"base64:", JsonMqSerializer.Default.ToJson(broken), StringComparison.Ordinal);
    }

    [Fact]
    public void Xml_lists_show_as_arrays_and_nil_as_null()
    {
        const string xml = """<Box xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><items><s>a</s><s>b</s></items><note i:nil="true"/></Box>""";

        using JsonDocument json = JsonDocument.Parse(XmlMqSerializer.Default.ToJson(Encoding.UTF8.GetBytes(xml)));

        JsonElement box = json.RootElement.GetProperty("Box");
        Assert.Equal(["a", "b"], box.GetProperty("items").GetProperty("s").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.Null, box.GetProperty("note").ValueKind);
    }

    private sealed class UpperJson : IMqSerializer
    {
        public string ContentType => "text/x-upper";

        public ReadOnlyMemory<byte> Serialize<T>(T value) => Encoding.UTF8.GetBytes(value!.ToString()!.ToUpperInvariant());

        public T Deserialize<T>(ReadOnlyMemory<byte> payload) => (T)(object)Encoding.UTF8.GetString(payload.Span);

        public string ToJson(ReadOnlyMemory<byte> payload) => JsonSerializer.Serialize(Encoding.UTF8.GetString(payload.Span));
    }
}
