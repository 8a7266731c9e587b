using Mq.Rpc;

namespace Mq.Serialization;

/// <summary>
/// A serializer that also carries a remote-object call's arguments: a list of values, each of its parameter's own
/// type, in the serializer's format. The built-in MessagePack, JSON and XML serializers are; a call in any other
/// content type is refused with a clear error.
/// </summary>
internal interface IArgumentListSerializer : IMqSerializer
{
    MqArgumentWriter CreateWriter(int count);

    /// <summary>A reader at the first argument of an untrusted payload, and how many it carries.</summary>
    /// <exception cref="Errors.UnreadablePayloadException">The payload is not an argument list in this format.</exception>
    MqArgumentReader Open(ReadOnlyMemory<byte> payload, out int count);
}
