using Mq.Serialization;

namespace Mq.Rpc;

/// <summary>
/// A declared fault with its detail. A served object throws it; the caller whose contract declares
/// <c>[MqFault(typeof(TDetail))]</c> on the method catches it, with the detail deserialized.
/// </summary>
public sealed class MqFaultException<TDetail> : MqFaultException
{
    public MqFaultException(TDetail detail, string message) : this(detail, message, null) { }

    public MqFaultException(TDetail detail, string message, Exception? innerException)
        : base(TypeName, message, innerException) => Detail = detail;

    public TDetail Detail { get; }

    internal static string TypeName { get; } = typeof(TDetail).FullName ?? typeof(TDetail).Name;

    internal override ReadOnlyMemory<byte> SerializeDetail(IMqSerializer serializer) => RawPayload.TryWrap(Detail, out ReadOnlyMemory<byte> raw) ? raw : serializer.Serialize(Detail);
}
