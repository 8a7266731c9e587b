using StackExchange.Redis;

namespace Mq.Benchmarks;

/// <summary>
/// Redis pub/sub through StackExchange.Redis: fire-and-forget PUBLISH (pipelined) and a
/// <see cref="ChannelMessageQueue"/> per subscription. Redis has no request/reply, so W3 and W4 are n/a.
/// </summary>
internal sealed class RedisTransport(ConnectionMultiplexer multiplexer) : IBenchTransport
{
    /// <summary>Fire-and-forget never waits, so every this many publishes a PING bounds what the client buffers.</summary>
    private const int PingEvery = 8_192;

    private readonly ISubscriber _subscriber = multiplexer.GetSubscriber();
    private long _sinceFlush;

    public bool SupportsRequestReply => false;

    public static async ValueTask<IBenchTransport> ConnectAsync(string endpoint, string name, CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(endpoint);
        options.ClientName = name;
        options.AbortOnConnectFail = true;
        ConnectionMultiplexer multiplexer = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken);
        return new RedisTransport(multiplexer);
    }

    public async ValueTask PublishAsync(string subject, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        // A fire-and-forget command keeps its value until written, so it must own a copy.
        _subscriber.Publish(RedisChannel.Literal(subject), payload.ToArray(), CommandFlags.FireAndForget);
        if (++_sinceFlush >= PingEvery)
        {
            await FlushAsync(cancellationToken);
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        _sinceFlush = 0;
        // Commands on one connection are answered in order, so the PING's answer follows every earlier PUBLISH.
        await _subscriber.PingAsync().WaitAsync(cancellationToken);
    }

    public async ValueTask<IBenchInbox> SubscribeAsync(string subject, CancellationToken cancellationToken)
    {
        ChannelMessageQueue queue = await _subscriber.SubscribeAsync(RedisChannel.Literal(subject)).WaitAsync(cancellationToken);
        return new Inbox(queue);
    }

    public ValueTask<IAsyncDisposable> ServeEchoAsync(string service, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Redis has no request/reply");

    public ValueTask<int> RequestAsync(string service, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Redis has no request/reply");

    public async ValueTask DisposeAsync() => await multiplexer.DisposeAsync();

    private sealed class Inbox(ChannelMessageQueue queue) : IBenchInbox
    {
        public async Task RunAsync(PayloadHandler handler, CancellationToken cancellationToken)
        {
            while (true)
            {
                if (!queue.TryRead(out ChannelMessage message))
                {
                    message = await queue.ReadAsync(cancellationToken);
                }

                if (!handler(((ReadOnlyMemory<byte>)message.Message).Span))
                {
                    return;
                }
            }
        }

        public async ValueTask DisposeAsync() => await queue.UnsubscribeAsync();
    }
}
