using Mq.Client;

namespace Mq.Benchmarks;

/// <summary>
/// Mq through <see cref="MqClient"/>'s raw-bytes overloads (no MessagePack serialization of payloads). "mq"
/// subscribes with flow control, "mq-plain" without: the same client, with and without the zero-loss guarantee.
/// </summary>
internal sealed class MqTransport(MqClient client, bool flowControl) : IBenchTransport
{
    public bool SupportsRequestReply => true;

    public static async ValueTask<IBenchTransport> ConnectAsync(string endpoint, string name, bool flowControl, CancellationToken cancellationToken)
    {
        // The client's defaults are what users get; only the name and endpoint are ours.
        var options = new MqClientOptions { Endpoint = endpoint, Name = name };
        return new MqTransport(await MqClient.ConnectAsync(options, cancellationToken: cancellationToken), flowControl);
    }

    public ValueTask PublishAsync(string subject, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        client.PublishAsync(subject, payload, cancellationToken: cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken) => client.FlushAsync(cancellationToken);

    // Flow control is Mq's answer to "lose nothing": the broker holds messages back and slows the publisher
    // instead of dropping when a subscriber falls behind, which is what the workloads' zero-loss targets ask for.
    public async ValueTask<IBenchInbox> SubscribeAsync(string subject, CancellationToken cancellationToken) =>
        new Inbox(await client.SubscribeAsync(subject, new SubscribeOptions { FlowControl = flowControl }, cancellationToken));

    public async ValueTask<IAsyncDisposable> ServeEchoAsync(string service, CancellationToken cancellationToken) =>
        await client.ServeAsync(service, static (request, _) => ValueTask.FromResult(request.Data), cancellationToken: cancellationToken);

    public async ValueTask<int> RequestAsync(string service, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken)
    {
        MqReply reply = await client.RequestAsync(service, payload, new RequestOptions { Timeout = timeout }, cancellationToken);
        return reply.Data.Length;
    }

    public ValueTask DisposeAsync() => client.DisposeAsync();

    private sealed class Inbox(MqSubscription subscription) : IBenchInbox
    {
        public async Task RunAsync(PayloadHandler handler, CancellationToken cancellationToken)
        {
            var reader = subscription.Reader;
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (reader.TryRead(out MqMessage? message))
                {
                    if (!handler(message.Data.Span))
                    {
                        return;
                    }
                }
            }
        }

        public ValueTask DisposeAsync() => subscription.DisposeAsync();
    }
}
