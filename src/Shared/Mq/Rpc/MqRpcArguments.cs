using System.ComponentModel;
using MessagePack;
using Mq.Errors;

namespace Mq.Rpc;

/// <summary>
/// Reads a call's arguments, a MessagePack array in parameter order, for generated dispatchers. Trailing arguments
/// may be missing (optional parameters then take their defaults) or extra (from a newer caller: ignored).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class MqRpcArguments
{
    /// <summary>How many arguments the call carries; an empty payload carries none.</summary>
    public static int Open(ref MessagePackReader reader, MqMethod method)
    {
        if (reader.End)
        {
            return 0;
        }

        try
        {
            return reader.ReadArrayHeader();
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
