using Mq.Broker.Server;
using Mq.IntegrationTests.Infrastructure;

namespace Mq.IntegrationTests.InProcess;

/// <summary>What the transport refuses, caps and times out shows in the broker's statistics.</summary>
public sealed class TransportCountersTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Capped_timed_out_refused_and_badly_framed_connections_are_counted_and_the_gauges_return_to_zero()
    {
        await using var broker = await InProcessBroker.StartAsync(o =>
        {
            // Long enough that the refused and badly framed connections below are never timed out first on a loaded machine.
            o.HandshakeTimeout = TimeSpan.FromSeconds(2);
            o.MaxPendingHandshakesPerSource = 1;
        });

        using (RawZmtp idle = await RawZmtp.ConnectAsync(broker.Endpoint))
        {
            await Waits.UntilAsync(async () => (await broker.Server.GetStatsAsync()).PendingHandshakes == 1, "the idle connection pending", Waits.Default);
            try
            {
                using RawZmtp capped = await RawZmtp.ConnectAsync(broker.Endpoint);
                await capped.ReadUntilClosedAsync(TimeSpan.FromSeconds(5));
            }
            catch (System.Net.Sockets.SocketException)
            {
                // Reset before the connect even completed here: the cap at work, counted below.
            }

            await idle.ReadUntilClosedAsync(TimeSpan.FromSeconds(5));
        }

        // The broker releases a slot just after the close the peer sees; the next connection must not race it.
        await NoneOpenAsync(broker);

        using (RawZmtp legacy = await RawZmtp.ConnectAsync(broker.Endpoint))
        {
            await legacy.SendAsync([0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01]);
            await legacy.ReadUntilClosedAsync(TimeSpan.FromSeconds(5));
        }

        await NoneOpenAsync(broker);

        using (RawZmtp huge = await RawZmtp.ConnectAsync(broker.Endpoint))
        {
            await huge.HandshakeAsync(TimeSpan.FromSeconds(5));
            await huge.SendAsync([0x02, 0, 0, 0, 0, 0x80, 0, 0, 0]);
            await huge.ReadUntilClosedAsync(TimeSpan.FromSeconds(5));
        }

        await NoneOpenAsync(broker);
        BrokerStats stats = await broker.Server.GetStatsAsync();
        output.WriteLine(stats.ToString());
        Assert.Equal(4, stats.ConnectionsAccepted);
        Assert.Equal(1, stats.ConnectionsCapped);
        Assert.Equal(1, stats.HandshakesTimedOut);
        Assert.Equal(1, stats.HandshakesRefused);
        Assert.Equal(1, stats.FramingErrors);
        Assert.Equal(0, stats.PendingHandshakes);
    }

    private static Task NoneOpenAsync(InProcessBroker broker) =>
        Waits.UntilAsync(async () => (await broker.Server.GetStatsAsync()).Connections == 0, "every connection closed", Waits.Default);
}
