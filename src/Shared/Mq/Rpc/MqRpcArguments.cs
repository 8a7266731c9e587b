using System.ComponentModel;
using MessagePack;
using Mq.Client;
using Mq.Errors;
using Mq.Serialization;

namespace Mq.Rpc;

/// <summary>
/// Reads a call's arguments, a MessagePack array in parameter order, for generated dispatchers. Trailing arguments
/// may be missing (optional parameters then take their defaults) or extra (from a newer caller: ignored).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class MqRpcArguments
{
    /// <summary>A reader at the call's first argument, and how many it carries; an empty payload carries none.</summary>
    /// <exception cref="UnreadablePayloadException">The payload is not MessagePack, or not an array.</exception>
    public static MessagePackReader Open(MqRequest request, MqMethod method, out int count)
    {
        if (request.ContentType is { } contentType && contentType != MqContentTypes.MessagePack && MqContentTypes.MediaType(contentType) != MqContentTypes.MessagePack)
        {
            throw new UnreadablePayloadException($"the arguments of '{method.Service}' are {contentType}: remote object methods read a MessagePack array of their arguments ({MqContentTypes.MessagePack})");
        }

        var reader = new MessagePackReader(request.Data);
        try
        {
            count = reader.End ? 0 : reader.ReadArrayHeader();
            return reader;
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException)
        {
            throw new UnreadablePayloadException($"the arguments of '{method.Service}' are not a MessagePack array of its parameters: {ex.Message}", ex);
        }
    }

    public static T Read<T>(ref MessagePackReader reader, MessagePackSerializerOptions options, MqMethod method, string parameter)
    {
        try
        {
            return MessagePackSerializer.Deserialize<T>(ref reader, options);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException)
        {
            throw new UnreadablePayloadException($"argument '{parameter}' of '{method.Service}' could not be read as {typeof(T).Name}: {(ex.InnerException ?? ex).Message}", ex);
        }
    }

    /// <summary>A required parameter the call did not send.</summary>
    public static T Missing<T>(MqMethod method, string parameter) =>
        throw new UnreadablePayloadException($"the call of '{method.Service}' lacks argument '{parameter}', which has no default");
}
