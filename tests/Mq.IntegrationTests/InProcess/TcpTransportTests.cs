using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Testing;

namespace Mq.IntegrationTests.InProcess;

/// <summary>
/// Both transports carrying tcp://: Mq's own stream (the default) beside a NetMQ DEALER (the internal switch the
/// benchmarks use to measure one against the other), the same client above each, with and without the secure channel.
/// </summary>
public sealed class TcpTransportTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Over_tcp_the_stream_transport_publishes_and_requests_beside_a_netmq_client()
    {
        await using InProcessBroker broker = await InProcessBroker.StartAsync();
        MqClient stream = await broker.ConnectAsync("stream");
        MqClient netmq = await broker.ConnectAsync("netmq", o => o with { TcpOverNetMq = true });
        await using MqSubscription atStream = await stream.SubscribeAsync("to.stream");
        await netmq.PublishAsync("to.stream", new byte[] { 1 });
        Assert.Single(await atStream.TakeAsync(1, Bound));

        await using MqService echo = await stream.ServeAsync("echo", (r, _) => ValueTask.FromResult(r.Data));
        byte[][] replies = await Task.WhenAll(Enumerable.Range(0, 500).Select(async i => (await netmq.RequestAsync("echo", BitConverter.GetBytes(i))).Data.ToArray()));
        Assert.Equal(Enumerable.Range(0, 500), replies.Select(r => BitConverter.ToInt32(r)));
    }

    [Fact]
    public async Task The_secure_channel_runs_over_both_transports()
    {
        await using TestBroker broker = await TestBroker.StartAsync(o => o.Secure = true);
        await using MqClient stream = await broker.ConnectAsync("sealed-stream");
        await using MqClient netmq = await MqClient.ConnectAsync(broker.ClientOptions("sealed-netmq") with { TcpOverNetMq = true });
        await using MqService echo = await stream.ServeAsync("echo", (r, _) => ValueTask.FromResult(r.Data));
        Assert.Equal(new byte[] { 4, 2 }, (await netmq.RequestAsync("echo", new byte[] { 4, 2 })).Data.ToArray());
        Assert.Equal(new byte[] { 2, 4 }, (await stream.RequestAsync("echo", new byte[] { 2, 4 })).Data.ToArray());
    }
}
