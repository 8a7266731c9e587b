using MessagePack;

namespace Mq.Client.Connection;

/// <summary>Decodes a header block that <see cref="Protocol.CommandReader.ReadHeadersRaw"/> has already checked.</summary>
internal static class HeaderCodec
{
    public static IReadOnlyDictionary<string, string>? Decode(ReadOnlyMemory<byte> raw)
    {
        if (raw.IsEmpty)
        {
            return null;
        }

        var reader = new MessagePackReader(raw);
        int count = reader.ReadMapHeader();
        var headers = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string key = reader.ReadString()!;
            headers[key] = reader.ReadString()!;
        }

        return headers;
    }
}
