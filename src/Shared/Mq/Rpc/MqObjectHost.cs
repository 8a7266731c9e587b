using System.ComponentModel;
using MessagePack;
using Mq.Client;
using Mq.Errors;
using Mq.Serialization;

namespace Mq.Rpc;

/// <summary>What a generated dispatcher needs from the serving client: the object for each call and the serializer.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MqObjectHost<TContract>
    where TContract : class
{
    private readonly Func<MqObjectLease<TContract>> _rent;

    internal MqObjectHost(Func<MqObjectLease<TContract>> rent, MessagePackSerializerOptions serializerOptions)
    {
        _rent = rent;
        SerializerOptions = serializerOptions;
    }

    public MessagePackSerializerOptions SerializerOptions { get; }

    /// <summary>The object to run one call on; dispose the lease when the call is over.</summary>
    public MqObjectLease<TContract> Rent() => _rent();

    /// <summary>
    /// A result as the reply's payload, answering in kind: in the call's content type (MessagePack, with no header,
    /// when it named none). Byte buffers pass through raw, as <see cref="MqSerializer"/> does.
    /// </summary>
    public ReadOnlyMemory<byte> Serialize<T>(MqRequest request, T value) =>
        request.Serializers.For(request.Headers) is null or MessagePackMqSerializer
            ? MqSerializer.Serialize(value, SerializerOptions)
            : request.SerializeReply(value);

    /// <summary>The progress a method reports to: its reports go to the caller as parts of the reply, in the call's content type.</summary>
    public MqProgress<T> Progress<T>(MqRequest request, CancellationToken cancellationToken) => new(request, cancellationToken);

    /// <summary>Sends each item as a part of the reply, each waiting for the caller's credit; the final reply, empty, follows.</summary>
    /// <exception cref="InvalidOperationException">The call was a plain request, which cannot carry parts.</exception>
    public async ValueTask StreamAsync<T>(MqRequest request, IAsyncEnumerable<T> items, CancellationToken cancellationToken)
    {
        if (!request.IsStreamed)
        {
            throw new InvalidOperationException($"'{request.Service}' streams its result: call it as a streamed request (RequestStreamAsync, or a REQ with a window)");
        }

        await foreach (T item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            (ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? headers) = request.SerializePart(item);
            await request.SendPartAsync(payload, headers, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A declared fault as the wire carries it: its type name in a header and its detail as the payload, in the call's content type.</summary>
    public MqRemoteFaultException Fault(MqRequest request, MqFaultException fault) =>
        new(fault.FaultType, fault.SerializeDetail(request.Serializers.For(request.Headers) ?? request.Serializers.Sending), fault.Message);
}
