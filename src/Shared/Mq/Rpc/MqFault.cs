using System.ComponentModel;
using Mq.Errors;
using Mq.Serialization;

namespace Mq.Rpc;

/// <summary>
/// A fault type a method declares (<see cref="MqFaultAttribute"/>): its wire name, the detail type's full name,
/// and how the caller turns a fault of that name back into a <see cref="MqFaultException{TDetail}"/>. For generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MqFault
{
    private readonly Func<RemoteErrorException, IMqSerializer, MqFaultException> _create;

    private MqFault(string type, Func<RemoteErrorException, IMqSerializer, MqFaultException> create)
    {
        Type = type;
        _create = create;
    }

    /// <summary>The name a fault of this type travels as (the <c>mq-fault-type</c> reply header).</summary>
    public string Type { get; }

    public static MqFault For<TDetail>() =>
        new(MqFaultException<TDetail>.TypeName, static (remote, serializer) => new MqFaultException<TDetail>(
            RawPayload.TryUnwrap(remote.FaultDetail, out TDetail raw) ? raw : serializer.Deserialize<TDetail>(remote.FaultDetail), remote.Message, remote));

    /// <summary>The typed fault for a remote error of this fault type; the remote error is its inner exception.</summary>
    internal MqFaultException Create(RemoteErrorException remote, IMqSerializer serializer) => _create(remote, serializer);
}
