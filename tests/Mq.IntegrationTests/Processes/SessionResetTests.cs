using MessagePack;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.IntegrationTests.Processes;

/// <summary>A second HELLO on a connection starts a session with nothing of the old one, against a broker process.</summary>
public sealed class SessionResetTests
{
    [Fact]
    public async Task A_peer_that_fell_behind_and_said_hello_again_gets_no_drop_report_or_delivery_of_its_old_session()
    {
        // The raw peer sends no heartbeats, so the broker is told to wait longer than a loaded machine may take.
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync(
            "tcp://127.0.0.1:0", "--Broker:SendQueueBytes=65536", "--Broker:PeerTimeout=00:05:00");
        await using (broker)
        {
            await using MqClient publisher = await MqClient.ConnectAsync(endpoint, "publisher");
            using var peer = new RawPeer(endpoint, s => s.Options.ReceiveHighWatermark = 4);
            peer.Handshake("behind");
            peer.Send((ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 1, 1, "flood", null));
            peer.Expect(CommandCode.Ok);

            // 32 MB to a peer that reads nothing: most are dropped, and the broker owes it a DROPPED for sid 1.
            byte[] payload = new byte[16 * 1024];
            for (int i = 0; i < 2_000; i++)
            {
                await publisher.PublishAsync("flood", payload);
            }

            await publisher.FlushAsync();

            // What was already on its way arrives before WELCOME; after it, the new session starts empty.
            peer.Send((ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, ProtocolVersion.Current, "again", null));
            peer.Expect(CommandCode.Welcome, TimeSpan.FromSeconds(30));
            peer.Send((ref MessagePackWriter w) => CommandWriter.WritePing(ref w, 2));
            Assert.DoesNotContain(peer.ReadUntil(CommandCode.Ok), code => code is CommandCode.Msg or CommandCode.Dropped);

            // The same sid again, as §4.6 allows: sequences start over and no phantom loss is reported.
            peer.Send((ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 3, 1, "flood", null));
            Assert.DoesNotContain(peer.ReadUntil(CommandCode.Ok), code => code is CommandCode.Msg or CommandCode.Dropped);
            await publisher.PublishAsync("flood", payload);
            await publisher.FlushAsync();
            CommandReader msg = peer.Expect(CommandCode.Msg).Reader();
            Assert.Equal((1UL, 1UL), (msg.ReadUInt(), msg.ReadUInt()));
            peer.Send((ref MessagePackWriter w) => CommandWriter.WritePing(ref w, 4));
            Assert.Equal([CommandCode.Ok], peer.ReadUntil(CommandCode.Ok).Where(code => code != CommandCode.Heartbeat));
            Assert.False(broker.HasExited);
        }
    }
}
