using Mq.Client;
using Mq.Rpc;

namespace Mq.Benchmarks;

/// <summary>
/// "mq-rpc": Mq's remote objects. W3 and W4 call <see cref="IBenchEcho"/> through its generated proxy and the server
/// serves it with the generated dispatcher, so against "mq" (the raw echo service, same payload) the difference is
/// what the proxy, the dispatcher and the argument array cost. Publish/subscribe is "mq"'s. The method's service is
/// the contract's (<c>bench.rpc.Echo</c>), whatever service name the workload asks for.
/// </summary>
internal sealed class MqRpcTransport : IBenchTransport
{
    private readonly MqClient _client;
    private readonly MqTransport _messages;
    private (TimeSpan Timeout, IBenchEcho Proxy)? _proxy;

    private MqRpcTransport(MqClient client)
    {
        _client = client;
        _messages = new MqTransport(client, flowControl: true);
    }

    public bool SupportsRequestReply => true;

    public static async ValueTask<IBenchTransport> ConnectAsync(string endpoint, string name, CancellationToken cancellationToken) =>
        new MqRpcTransport(await MqClient.ConnectAsync(new MqClientOptions { Endpoint = endpoint, Name = name }, cancellationToken: cancellationToken));

    public ValueTask PublishAsync(string subject, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) => _messages.PublishAsync(subject, payload, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken) => _messages.FlushAsync(cancellationToken);

    public ValueTask<IBenchInbox> SubscribeAsync(string subject, CancellationToken cancellationToken) => _messages.SubscribeAsync(subject, cancellationToken);

    public async ValueTask<IAsyncDisposable> ServeEchoAsync(string service, CancellationToken cancellationToken) =>
        await _client.ServeObjectAsync<IBenchEcho>(new BenchEcho(), cancellationToken: cancellationToken);

    public async ValueTask<int> RequestAsync(string service, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // One proxy per timeout (the workloads use one): a proxy is how a caller sets a call's timeout.
        if (_proxy is not { } held || held.Timeout != timeout)
        {
            _proxy = held = (timeout, _client.CreateProxy<IBenchEcho>(new ProxyOptions { Timeout = timeout }));
        }

        ReadOnlyMemory<byte> echoed = await held.Proxy.EchoAsync(payload, cancellationToken);
        return echoed.Length;
    }

    public ValueTask DisposeAsync() => _messages.DisposeAsync();
}
