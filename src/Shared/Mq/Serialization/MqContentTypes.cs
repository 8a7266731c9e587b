namespace Mq.Serialization;

/// <summary>The header that names a payload's format, and the formats the client knows without being told.</summary>
public static class MqContentTypes
{
    /// <summary>The header carrying a payload's media type. A payload without it is MessagePack (or raw bytes).</summary>
    public const string Header = "content-type";

    /// <summary>MessagePack, the default (<see cref="MessagePackMqSerializer"/>).</summary>
    public const string MessagePack = "application/msgpack";

    /// <summary>JSON text in UTF-8 (<see cref="JsonMqSerializer"/>).</summary>
    public const string Json = "application/json";

    /// <summary>XML written by DataContractSerializer, UTF-8 (<see cref="XmlMqSerializer"/>).</summary>
    public const string Xml = "application/xml";

    /// <summary>
    /// The media type of a <c>content-type</c> value, without parameters or surrounding space, so
    /// <c>Application/JSON; charset=utf-8</c> names <c>application/json</c>.
    /// </summary>
    public static string MediaType(string contentType)
    {
        ArgumentNullException.ThrowIfNull(contentType);
        int parameters = contentType.IndexOf(';', StringComparison.Ordinal);
        return (parameters < 0 ? contentType : contentType[..parameters]).Trim().ToLowerInvariant();
    }
}
