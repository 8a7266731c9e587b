using Mq.Testing;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using NetMQ;

namespace Mq.IntegrationTests.Security;

/// <summary>Someone in the middle who alters a frame: the session it was in ends, nothing corrupted is delivered, and the peer comes back.</summary>
public sealed class TamperTests
{
    [Fact]
    public async Task A_flipped_byte_ends_that_session_is_counted_delivers_nothing_and_the_peer_reconnects()
    {
        var brokerKeys = new NetMQCertificate();
        await using var broker = new InProcessBroker(o =>
        {
            o.Curve = new Broker.Server.BrokerCurveOptions { SecretKey = brokerKeys.SecretKeyZ85 };
            return o;
        });
        await using var relay = new TcpProxy(broker.Endpoint);
        MqClient subscriber = await broker.ConnectAsync("subscriber", o => o with { BrokerPublicKey = brokerKeys.PublicKeyZ85 });
        MqClient publisher = await broker.ConnectAsync("publisher", o => o with { Endpoint = relay.Endpoint, BrokerPublicKey = brokerKeys.PublicKeyZ85 });
        await using MqSubscription subscription = await subscriber.SubscribeAsync("tamper.>");
        string firstSession = publisher.PeerId!;

        await publisher.PublishAsync("tamper.before", "before");
        await publisher.FlushAsync();
        Assert.Equal("before", (await subscription.TakeAsync(1))[0].Deserialize<string>());

        // A publish large enough to be the only chunk that long: its last byte is the frame's tag.
        relay.FlipNextChunk(4096);
        await publisher.PublishAsync("tamper.altered", new string('x', 8192));
        await Waits.UntilAsync(async () => (await broker.Server.GetStatsAsync()).ChannelFailures == 1, "the broker counted the altered frame");

        // The publisher learns its session is gone (the broker no longer knows the connection), reconnects and goes on.
        await Waits.UntilAsync(() => Task.FromResult(publisher.PeerId != firstSession && publisher.State == ConnectionState.Connected), "the publisher has a new session");
        await publisher.PublishAsync("tamper.after", "after");
        await publisher.FlushAsync();

        // The altered publish may come again, intact: the publisher replays what a lost session never confirmed (once
        // per session lost before its confirmation; a late answer of the broker to the old connection can cost one more).
        for (int i = 0; i < 5; i++)
        {
            MqMessage message = (await subscription.TakeAsync(1))[0];
            if (message.Subject == "tamper.after")
            {
                Assert.Equal("after", message.Deserialize<string>());
                return;
            }

            Assert.Equal(("tamper.altered", new string('x', 8192)), (message.Subject, message.Deserialize<string>()));
        }

        Assert.Fail("tamper.after never arrived");
    }
}
