using System.Threading.Channels;
using NATS.Client.Core;
using NATS.Net;

namespace Mq.Benchmarks;

/// <summary>NATS core through NATS.Net: pooled <see cref="NatsMemoryOwner{T}"/> buffers on receive, raw bytes on send.</summary>
internal sealed class NatsTransport(NatsConnection connection) : IBenchTransport
{
    public bool SupportsRequestReply => true;

    public static async ValueTask<IBenchTransport> ConnectAsync(string endpoint, string name, CancellationToken cancellationToken)
    {
        // The pending buffer per subscription matches Mq's default SubscriptionCapacity, so both absorb the same burst.
        var options = NatsOpts.Default with
        {
            Url = endpoint,
            Name = name,
            SubPendingChannelCapacity = 65_536,
        };
        var connection = new NatsConnection(options);
        await connection.ConnectAsync().AsTask().WaitAsync(cancellationToken);
        return new NatsTransport(connection);
    }

    public ValueTask PublishAsync(string subject, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        connection.PublishAsync(subject, payload, cancellationToken: cancellationToken);

    public async ValueTask FlushAsync(CancellationToken cancellationToken) => await connection.PingAsync(cancellationToken);

    public async ValueTask<IBenchInbox> SubscribeAsync(string subject, CancellationToken cancellationToken)
    {
        INatsSub<NatsMemoryOwner<byte>> sub = await connection.SubscribeCoreAsync<NatsMemoryOwner<byte>>(subject, cancellationToken: cancellationToken);
        // A PING answered means the server has processed the SUB sent before it.
        await connection.PingAsync(cancellationToken);
        return new Inbox(sub);
    }

    public async ValueTask<IAsyncDisposable> ServeEchoAsync(string service, CancellationToken cancellationToken)
    {
        INatsSub<NatsMemoryOwner<byte>> sub = await connection.SubscribeCoreAsync<NatsMemoryOwner<byte>>(service, cancellationToken: cancellationToken);
        await connection.PingAsync(cancellationToken);
        return new Server(sub, Task.Run(() => EchoAsync(sub), CancellationToken.None));
    }

    public async ValueTask<int> RequestAsync(string service, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken)
    {
        NatsMsg<NatsMemoryOwner<byte>> reply = await connection.RequestAsync<ReadOnlyMemory<byte>, NatsMemoryOwner<byte>>(
            service, payload, replyOpts: new NatsSubOpts { Timeout = timeout }, cancellationToken: cancellationToken);
        using NatsMemoryOwner<byte> data = reply.Data;
        return data.Length;
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();

    private static async Task EchoAsync(INatsSub<NatsMemoryOwner<byte>> sub)
    {
        ChannelReader<NatsMsg<NatsMemoryOwner<byte>>> reader = sub.Msgs;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out NatsMsg<NatsMemoryOwner<byte>> msg))
            {
                using NatsMemoryOwner<byte> data = msg.Data;
                await msg.ReplyAsync<ReadOnlyMemory<byte>>(data.Memory);
            }
        }
    }

    private sealed class Server(INatsSub<NatsMemoryOwner<byte>> sub, Task loop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await sub.DisposeAsync();
            await loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    private sealed class Inbox(INatsSub<NatsMemoryOwner<byte>> sub) : IBenchInbox
    {
        public async Task RunAsync(PayloadHandler handler, CancellationToken cancellationToken)
        {
            ChannelReader<NatsMsg<NatsMemoryOwner<byte>>> reader = sub.Msgs;
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (reader.TryRead(out NatsMsg<NatsMemoryOwner<byte>> msg))
                {
                    using NatsMemoryOwner<byte> data = msg.Data;
                    if (!handler(data.Span))
                    {
                        return;
                    }
                }
            }
        }

        public ValueTask DisposeAsync() => sub.DisposeAsync();
    }
}
