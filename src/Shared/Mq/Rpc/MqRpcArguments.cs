using System.ComponentModel;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Xml;
using MessagePack;
using Mq.Client;
using Mq.Errors;
using Mq.Serialization;

namespace Mq.Rpc;

/// <summary>
/// Reads a call's arguments in parameter order, in the request's content type (a MessagePack array when it names
/// none), for generated dispatchers. Trailing arguments may be missing (optional parameters then take their
/// defaults) or extra (from a newer caller: ignored).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class MqRpcArguments
{
    /// <summary>A reader at the call's first argument, and how many it carries; an empty payload carries none.</summary>
    /// <exception cref="UnreadablePayloadException">The payload is not an argument list in its content type, or this client cannot read that type.</exception>
    public static MqArgumentReader Open(MqRequest request, MqMethod method, out int count)
    {
        IArgumentListSerializer format = request.ArgumentFormat(method);
        try
        {
            return format.Open(request.Data, out count);
        }
        catch (UnreadablePayloadException ex)
        {
            throw new UnreadablePayloadException($"the arguments of '{method.Service}' are {ex.Message}", ex);
        }
    }

    public static T Read<T>(ref MqArgumentReader reader, MessagePackSerializerOptions options, MqMethod method, string parameter)
    {
        try
        {
            return reader.Read<T>(options);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or JsonException or SerializationException or XmlException or InvalidCastException)
        {
            throw new UnreadablePayloadException($"argument '{parameter}' of '{method.Service}' could not be read as {typeof(T).Name}: {(ex.InnerException ?? ex).Message}", ex);
        }
    }

    /// <summary>A required parameter the call did not send.</summary>
    public static T Missing<T>(MqMethod method, string parameter) =>
        throw new UnreadablePayloadException($"the call of '{method.Service}' lacks argument '{parameter}', which has no default");
}
