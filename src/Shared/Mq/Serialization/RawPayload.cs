namespace Mq.Serialization;

/// <summary>
/// Byte buffers (<c>byte[]</c>, <c>Memory</c>, <c>ReadOnlyMemory</c>, <c>ArraySegment</c> of bytes) are payloads
/// already: the generic calls pass them through raw instead of wrapping them in a format by surprise. An empty
/// payload (a request with no body) reads as the default of a reference or nullable type.
/// </summary>
internal static class RawPayload
{
    public static bool TryWrap<T>(T value, out ReadOnlyMemory<byte> payload)
    {
        switch (value)
        {
            case byte[] bytes: payload = bytes; return true;
            case ReadOnlyMemory<byte> readOnly: payload = readOnly; return true;
            case Memory<byte> memory: payload = memory; return true;
            case ArraySegment<byte> segment: payload = segment; return true;
            default: payload = default; return false;
        }
    }

    public static bool TryUnwrap<T>(ReadOnlyMemory<byte> payload, out T value)
    {
        if (typeof(T) == typeof(byte[]))
        {
            value = (T)(object)payload.ToArray();
            return true;
        }

        if (typeof(T) == typeof(ReadOnlyMemory<byte>))
        {
            value = (T)(object)payload;
            return true;
        }

        if (typeof(T) == typeof(Memory<byte>))
        {
            value = (T)(object)payload.ToArray().AsMemory();
            return true;
        }

        if (payload.IsEmpty && default(T) is null)
        {
            value = default!;
            return true;
        }

        value = default!;
        return false;
    }
}
