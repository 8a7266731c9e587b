using Mq.Client;
using Mq.IntegrationTests.Infrastructure;

namespace Mq.IntegrationTests.Unix;

/// <summary>
/// The client's own ZMTP stream transport on a broker's Unix socket: everything above the connection works as over
/// TCP (sessions, pub/sub, request/reply, flow control), with TCP peers on the same broker.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UnixClientTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly SocketFolder _folder = new();

    private string UnixEndpoint => _folder.Endpoint();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_unix_client_publishes_subscribes_requests_and_serves_beside_a_tcp_client()
    {
        await using InProcessBroker broker = await InProcessBroker.StartAsync(o => o.Endpoints = [UnixEndpoint]);
        MqClient unix = await broker.ConnectAsync("unix-peer", o => o with { Endpoint = UnixEndpoint });
        MqClient tcp = await broker.ConnectAsync("tcp-peer");
        Assert.Equal(ConnectionState.Connected, unix.State);
        Assert.Equal(UnixEndpoint, unix.Endpoint);

        await using MqSubscription atUnix = await unix.SubscribeAsync("to.unix");
        await using MqSubscription atTcp = await tcp.SubscribeAsync("to.tcp");
        await tcp.PublishAsync("to.unix", new byte[] { 1 });
        await unix.PublishAsync("to.tcp", new byte[] { 2 });
        Assert.Equal(new byte[] { 1 }, Assert.Single(await atUnix.TakeAsync(1, Bound)).Data.ToArray());
        Assert.Equal(new byte[] { 2 }, Assert.Single(await atTcp.TakeAsync(1, Bound)).Data.ToArray());

        await using MqService doubler = await unix.ServeAsync<int, int>("double", (n, ct) => ValueTask.FromResult(2 * n));
        Assert.Equal(42, await tcp.RequestAsync<int, int>("double", 21));
        await using MqService tripler = await tcp.ServeAsync<int, int>("triple", (n, ct) => ValueTask.FromResult(3 * n));
        Assert.Equal(63, await unix.RequestAsync<int, int>("triple", 21));
    }

    [Fact]
    public async Task Many_requests_in_flight_and_large_payloads_cross_the_unix_socket_whole()
    {
        await using InProcessBroker broker = await InProcessBroker.StartAsync(o => o.Endpoints = [UnixEndpoint]);
        MqClient server = await broker.ConnectAsync("server", o => o with { Endpoint = UnixEndpoint });
        MqClient client = await broker.ConnectAsync("client", o => o with { Endpoint = UnixEndpoint });
        await using MqService echo = await server.ServeAsync("echo", (r, _) => ValueTask.FromResult(r.Data));

        byte[][] replies = await Task.WhenAll(Enumerable.Range(0, 2000).Select(async i =>
            (await client.RequestAsync("echo", BitConverter.GetBytes(i))).Data.ToArray()));
        Assert.Equal(Enumerable.Range(0, 2000), replies.Select(r => BitConverter.ToInt32(r)));

        // Larger than both ends' read buffers and the kernel's socket buffer: read straight into its own array, written in pieces.
        byte[] large = new byte[900 * 1024];
        Random.Shared.NextBytes(large);
        Assert.Equal(large, (await client.RequestAsync("echo", large)).Data.ToArray());
    }

    [Fact]
    public async Task Publisher_credit_and_a_flow_controlled_window_hold_a_fast_unix_publisher_to_its_subscriber_with_nothing_lost()
    {
        const int Count = 5000;
        await using InProcessBroker broker = await InProcessBroker.StartAsync(o => (o.Endpoints, o.PublisherCreditBytes) = ([UnixEndpoint], 65536));
        MqClient publisher = await broker.ConnectAsync("fast", o => o with { Endpoint = UnixEndpoint, OutboxCapacityBytes = 64 * 1024 });
        MqClient careful = await broker.ConnectAsync("careful", o => o with { Endpoint = UnixEndpoint, SubscriptionCapacity = 100 });
        await using MqSubscription flow = await careful.SubscribeAsync("flow.>", new SubscribeOptions { FlowControl = true });

        Task publishing = Task.Run(async () =>
        {
            // 2.5 MB in all, forty times the publisher's credit: it cannot all be in flight at once.
            for (int i = 0; i < Count; i++)
            {
                byte[] payload = new byte[512];
                BitConverter.TryWriteBytes(payload, i);
                await publisher.PublishAsync("flow.data", payload);
            }

            await publisher.FlushAsync();
        });

        // Unread, the window fills and the publisher must wait for credit rather than anything being dropped.
        await Waits.UntilAsync(() => Task.FromResult(flow.Received >= 100), "the first window arriving");
        Assert.NotSame(publishing, await Task.WhenAny(publishing, Task.Delay(TimeSpan.FromMilliseconds(500))));

        List<MqMessage> received = await flow.TakeAsync(Count, TimeSpan.FromSeconds(60));
        await publishing.WaitAsync(Bound);
        Assert.Equal(Enumerable.Range(0, Count), received.Select(m => BitConverter.ToInt32(m.Data.Span)));
        Assert.Equal(0, flow.Dropped);
    }
}
