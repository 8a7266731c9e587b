using MessagePack;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.IntegrationTests.Processes;

/// <summary>When the broker process forgets a peer, it closes the peer's TCP connection too, after what it had to say.</summary>
public sealed class ConnectionLifetimeTests
{
    [Fact]
    public async Task A_peer_silent_past_its_timeout_has_its_connection_closed()
    {
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync(
            "tcp://127.0.0.1:0", "--Broker:HeartbeatInterval=00:00:00.200", "--Broker:PeerTimeout=00:00:01");
        await using (broker)
        {
            using RawZmtp peer = await WelcomedAsync(endpoint);
            (TimeSpan elapsed, _) = await peer.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));
            Assert.True(elapsed < TimeSpan.FromSeconds(3), $"closed only after {elapsed}");
            await broker.WaitForLineAsync("silent for more than 1000 ms", TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public async Task A_stopping_broker_says_bye_then_closes_every_connection()
    {
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync();
        await using (broker)
        {
            using RawZmtp peer = await WelcomedAsync(endpoint);
            broker.Signal();

            var seen = new List<CommandCode>();
            while (await peer.ReadFrameAsync(TimeSpan.FromSeconds(10)) is (_, byte[] body))
            {
                var reader = new CommandReader(body);
                while (!reader.End)
                {
                    seen.Add(reader.ReadCommand());
                    reader.SkipCommand();
                }
            }

            Assert.Equal(CommandCode.Bye, seen.Last());
            Assert.Equal(0, await broker.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        }
    }

    /// <summary>A raw peer through the ZMTP handshake, CONNECTED, HELLO and WELCOME.</summary>
    private static async Task<RawZmtp> WelcomedAsync(string endpoint)
    {
        RawZmtp peer = await RawZmtp.ConnectAsync(endpoint);
        try
        {
            await peer.HandshakeAsync(TimeSpan.FromSeconds(5));
            Assert.NotNull(await peer.ReadFrameAsync(TimeSpan.FromSeconds(5)));
            await peer.SendAsync(RawZmtp.MqFrame((ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, ProtocolVersion.Current, "raw", null)));
            (_, byte[] welcome) = await peer.ReadFrameAsync(TimeSpan.FromSeconds(5)) ?? throw new IOException("closed before WELCOME");
            Assert.Equal(CommandCode.Welcome, new CommandReader(welcome).ReadCommand());
            return peer;
        }
        catch
        {
            peer.Dispose();
            throw;
        }
    }
}
