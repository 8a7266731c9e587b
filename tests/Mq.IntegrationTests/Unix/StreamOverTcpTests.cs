using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Testing;

namespace Mq.IntegrationTests.Unix;

/// <summary>
/// The stream transport carrying tcp:// (the internal switch the benchmarks use to measure it against NetMQ): the same
/// client above it, with and without the secure channel; tcp:// without the switch stays NetMQ's.
/// </summary>
public sealed class StreamOverTcpTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Over_tcp_the_stream_transport_publishes_and_requests_beside_a_netmq_client()
    {
        await using InProcessBroker broker = await InProcessBroker.StartAsync();
        MqClient stream = await broker.ConnectAsync("stream", o => o with { TcpOverStream = true });
        MqClient netmq = await broker.ConnectAsync("netmq");
        await using MqSubscription atStream = await stream.SubscribeAsync("to.stream");
        await netmq.PublishAsync("to.stream", new byte[] { 1 });
        Assert.Single(await atStream.TakeAsync(1, Bound));

        await using MqService echo = await stream.ServeAsync("echo", (r, _) => ValueTask.FromResult(r.Data));
        byte[][] replies = await Task.WhenAll(Enumerable.Range(0, 500).Select(async i => (await netmq.RequestAsync("echo", BitConverter.GetBytes(i))).Data.ToArray()));
        Assert.Equal(Enumerable.Range(0, 500), replies.Select(r => BitConverter.ToInt32(r)));
    }

    [Fact]
    public async Task The_secure_channel_runs_over_the_stream_transport_too()
    {
        await using TestBroker broker = await TestBroker.StartAsync(o => o.Secure = true);
        await using MqClient stream = await MqClient.ConnectAsync(broker.ClientOptions("sealed-stream") with { TcpOverStream = true });
        await using MqClient netmq = await broker.ConnectAsync("sealed-netmq");
        await using MqService echo = await stream.ServeAsync("echo", (r, _) => ValueTask.FromResult(r.Data));
        Assert.Equal(new byte[] { 4, 2 }, (await netmq.RequestAsync("echo", new byte[] { 4, 2 })).Data.ToArray());
        Assert.Equal(new byte[] { 2, 4 }, (await stream.RequestAsync("echo", new byte[] { 2, 4 })).Data.ToArray());
    }
}
