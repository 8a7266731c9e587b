using System.ComponentModel;
using MessagePack;
using Mq.Client;
using Mq.Errors;
using Mq.Serialization;

namespace Mq.Rpc;

/// <summary>
/// What a generated proxy calls through: one client, the contract's and the proxy's settings. Each call is a
/// request to the method's service; its errors are the request's, with "no responders" naming the method.
/// For generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MqRpcChannel
{
    private readonly MqClient _client;
    private readonly RequestOptions _request;

    internal MqRpcChannel(MqClient client, TimeSpan? contractTimeout, ProxyOptions options)
    {
        _client = client;
        // Built once per proxy, so a call allocates no headers of its own.
        var headers = new Dictionary<string, string>(options.Headers ?? new Dictionary<string, string>(), StringComparer.Ordinal) { [MqContentTypes.Header] = MqContentTypes.MessagePack };
        _request = new RequestOptions { Timeout = options.Timeout ?? contractTimeout, Headers = headers.AsReadOnly() };
        SerializerOptions = client.Options.SerializerOptions;
    }

    public MessagePackSerializerOptions SerializerOptions { get; }

    /// <summary>A call whose method returns nothing.</summary>
    public async ValueTask CallAsync(MqMethod method, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken) =>
        await RequestAsync(method, arguments, cancellationToken).ConfigureAwait(false);

    /// <summary>A call whose method returns a <typeparamref name="T"/>.</summary>
    public async ValueTask<T> CallAsync<T>(MqMethod method, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        MqReply reply = await RequestAsync(method, arguments, cancellationToken).ConfigureAwait(false);
        return MqSerializer.Deserialize<T>(reply.Data, SerializerOptions);
    }

    private async ValueTask<MqReply> RequestAsync(MqMethod method, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.RequestAsync(method.Service, arguments, _request, cancellationToken).ConfigureAwait(false);
        }
        catch (NoRespondersException ex)
        {
            throw method.NoResponders(ex);
        }
    }
}
