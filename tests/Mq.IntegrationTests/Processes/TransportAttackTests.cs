using System.Net;
using MessagePack;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;
using Mq.Testing;
using Mq.TestSupport;
using Xunit.Abstractions;

namespace Mq.IntegrationTests.Processes;

/// <summary>
/// Attacks on the broker's own ZMTP listener, byte by byte against a broker process: foreign and legacy greetings,
/// peer-chosen identities, frames announcing gigabytes, and thousands of handshakes that never finish. The framing
/// attacks run over the TCP endpoint and over the Unix socket endpoint of a broker listening on both, and a TCP
/// peer's traffic is checked unharmed either way.
/// </summary>
public sealed class TransportAttackTests(ITestOutputHelper output)
{
    private static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData("tcp")]
    [InlineData("unix")]
    public async Task Legacy_and_foreign_greetings_other_mechanisms_and_socket_types_are_closed_at_once(string transport)
    {
        await using TwoEndpointBroker both = await TwoEndpointBroker.StartAsync("--Broker:HandshakeTimeout=00:00:30");
        (PeerProcess broker, string endpoint, string target) = (both.Broker, both.Tcp, both.Of(transport));
        {
            (string Name, byte[] Bytes, string Logged)[] attempts =
            [
                ("ZMTP 1.0", [0x01, 0x00], "not a ZMTP 3 greeting"),
                ("ZMTP 2.0", [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01, 0x05], "a legacy greeting (ZMTP revision 1)"),
                ("ZMTP 3.0 CURVE", ZmtpBytes.Greeting(3, 0, "CURVE"), "mechanism 'CURVE' is not supported"),
                ("ZMTP 3.1 PLAIN", ZmtpBytes.Greeting(3, 1, "PLAIN"), "mechanism 'PLAIN' is not supported"),
                ("ZMTP 4", ZmtpBytes.Greeting(4, 0), "ZMTP version 4 is not supported"),
                ("HTTP", "GET / HTTP/1.1\r\nHost: broker\r\n\r\n"u8.ToArray(), "not a ZMTP 3 greeting"),
                ("zeros", new byte[16], "not a ZMTP 3 greeting"),
                ("a PUB socket", [.. ZmtpBytes.Greeting(), .. ZmtpBytes.Ready("PUB")], "socket type 'PUB' cannot talk to a ROUTER"),
            ];
            foreach ((string name, byte[] bytes, string logged) in attempts)
            {
                using RawZmtp peer = await RawZmtp.ConnectAsync(target);
                await peer.SendAsync(bytes);
                (TimeSpan elapsed, int received) = await peer.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));
                output.WriteLine($"{name}: closed after {elapsed.TotalMilliseconds:0} ms, {received} bytes received");
                Assert.True(elapsed < AtOnce, $"{name}: closed only after {elapsed}");
                Assert.True(received <= 64, $"{name}: the broker sent {received} bytes, more than its greeting");
                await broker.WaitForLineAsync(logged, TimeSpan.FromSeconds(5));
            }

            await AssertServesAsync(endpoint);
        }
    }

    [Fact]
    public async Task A_peer_chosen_identity_even_one_shaped_like_a_generated_one_gets_the_error_and_is_closed()
    {
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync();
        await using (broker)
        {
            foreach (byte[] identity in new[] { "impostor"u8.ToArray(), [0x00, 0x01, 0x00, 0x00, 0x00] })
            {
                using RawZmtp peer = await RawZmtp.ConnectAsync(endpoint);
                await peer.HandshakeAsync(TimeSpan.FromSeconds(5), identity);
                (byte flags, byte[] body) = await peer.ReadFrameAsync(TimeSpan.FromSeconds(5)) ?? throw new IOException("closed without the ERROR");
                Assert.Equal(0, flags);
                var reader = new CommandReader(body);
                Assert.Equal(CommandCode.Error, reader.ReadCommand());
                Assert.Equal(0UL, reader.ReadUInt());
                Assert.Equal((ulong)ErrorCode.Malformed, reader.ReadUInt());
                Assert.Equal("peers must not set their own ZeroMQ routing identity; the broker assigns it", reader.ReadString(1024));
                (TimeSpan elapsed, _) = await peer.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));
                Assert.True(elapsed < AtOnce, $"closed only after {elapsed}");
            }

            await broker.WaitForLineAsync("it set its own routing identity", TimeSpan.FromSeconds(5));
            await AssertServesAsync(endpoint);
        }
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("unix")]
    public async Task Frame_headers_announcing_2_GiB_close_the_connection_without_allocating(string transport)
    {
        await using TwoEndpointBroker both = await TwoEndpointBroker.StartAsync();
        (PeerProcess broker, string endpoint, string target) = (both.Broker, both.Tcp, both.Of(transport));
        {
            await AssertServesAsync(endpoint);
            long rssBefore = ProcStatus.RssKb(broker.Id);
            for (int i = 0; i < 50; i++)
            {
                using RawZmtp peer = await RawZmtp.ConnectAsync(target);
                await peer.HandshakeAsync(TimeSpan.FromSeconds(5));
                Assert.NotNull(await peer.ReadFrameAsync(TimeSpan.FromSeconds(5))); // CONNECTED
                await peer.SendAsync([0x02, 0, 0, 0, 0, 0x80, 0, 0, 0, .. new byte[4096]]);
                (TimeSpan elapsed, _) = await peer.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));
                Assert.True(elapsed < AtOnce, $"closed only after {elapsed}");
            }

            long rssAfter = ProcStatus.RssKb(broker.Id);
            output.WriteLine($"broker RSS {rssBefore / 1024} MB before, {rssAfter / 1024} MB after 50 frames announcing 2 GiB each");
            Assert.True(rssAfter - rssBefore < 32 * 1024, $"RSS grew by {(rssAfter - rssBefore) / 1024} MB");
            await broker.WaitForLineAsync("it announced a frame of 2147483648 bytes", TimeSpan.FromSeconds(5));
            await AssertServesAsync(endpoint);
        }
    }

    [Fact]
    public async Task Unix_peers_that_truncate_a_frame_or_never_read_are_closed_or_dropped_while_tcp_peers_are_served()
    {
        await using TwoEndpointBroker both = await TwoEndpointBroker.StartAsync();

        // A frame cut short, then the peer goes: the broker forgets the connection and nothing of it is delivered.
        using (RawZmtp truncated = await RawZmtp.ConnectAsync(both.Unix))
        {
            await truncated.HandshakeAsync(TimeSpan.FromSeconds(5));
            Assert.NotNull(await truncated.ReadFrameAsync(TimeSpan.FromSeconds(5))); // CONNECTED
            await truncated.SendAsync([0x00, 200, .. new byte[20]]);
        }

        // A subscriber on the Unix socket that never reads: its deliveries are dropped at its queue's bound.
        using RawZmtp stuck = await RawZmtp.ConnectAsync(both.Unix);
        Assert.Equal(CommandCode.Welcome, (await stuck.HelloAsync("never-reads", TimeSpan.FromSeconds(5))).Code);
        await stuck.SendMqAsync((ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 1, 1, "flood", null));
        await both.Broker.WaitForLineAsync("Peer never-reads", TimeSpan.FromSeconds(5));

        await using MqClient publisher = await MqClient.ConnectAsync(MqClientOptions.Default with { Endpoint = both.Tcp, Name = "tcp-publisher" });
        await using MqClient reader = await MqClient.ConnectAsync(MqClientOptions.Default with { Endpoint = both.Tcp, Name = "tcp-reader" });
        // Flow control: the TCP reader loses nothing however fast the publisher goes; the stuck peer holds nobody back.
        await using MqSubscription flood = await reader.SubscribeAsync("flood", new SubscribeOptions { FlowControl = true });
        byte[] payload = new byte[64 * 1024];
        const int Count = 200;
        for (int i = 0; i < Count; i++)
        {
            await publisher.PublishAsync("flood", payload);
        }

        Assert.Equal(Count, (await flood.TakeAsync(Count, TimeSpan.FromSeconds(30))).Count);
        MqReply peers = await reader.RequestAsync("$SYS.peers", ReadOnlyMemory<byte>.Empty);
        var neverReads = ((object[])peers.Deserialize<Dictionary<string, object?>>()["peers"]!).Cast<Dictionary<object, object?>>().Single(p => (string?)p["name"] == "never-reads");
        output.WriteLine($"the Unix peer that never reads ({neverReads["address"]}) lost {neverReads["dropped_messages"]} of {Count}");
        Assert.True(Convert.ToInt64(neverReads["dropped_messages"]) > 0, "the stuck peer lost nothing: its queue is unbounded?");
        Assert.StartsWith("unix:pid=", (string?)neverReads["address"]);
        TimeSpan roundTrip = await TimeRoundTripAsync(both.Tcp);
        output.WriteLine($"a TCP round trip took {roundTrip.TotalMilliseconds:0.0} ms beside a Unix peer that never reads");
        Assert.True(roundTrip < TimeSpan.FromSeconds(2), $"the TCP peer took {roundTrip}");
        Assert.False(both.Broker.HasExited, both.Broker.Output);
    }

    /// <remarks>
    /// The attackers come from 127.0.0.2 to 127.0.0.5, the good peer from 127.0.0.1: the per-source cap on pending
    /// handshakes is what leaves room for it. Three kinds rotate: idle TCP, half a greeting, and a finished ZMTP
    /// handshake with no HELLO (the engine's part of the deadline).
    /// </remarks>
    [Fact]
    public async Task Two_thousand_unfinished_handshakes_are_capped_and_closed_by_the_deadline_while_a_good_peer_works()
    {
        var deadline = TimeSpan.FromSeconds(2);
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync(
            "tcp://127.0.0.1:0", "--Broker:HandshakeTimeout=00:00:02", "--Broker:MaxPendingHandshakesPerSource=64");
        await using (broker)
        {
            await AssertServesAsync(endpoint);
            int fdsBefore = ProcStatus.OpenDescriptors(broker.Id);
            long rssBefore = ProcStatus.RssKb(broker.Id);
            IPAddress[] sources = [.. Enumerable.Range(2, 4).Select(i => IPAddress.Parse($"127.0.0.{i}"))];
            var attackers = new List<RawZmtp>();
            var closings = new List<Task<(TimeSpan Elapsed, int Bytes)>>();
            int fdsPeak = fdsBefore;
            long rssPeak = rssBefore;
            TimeSpan? goodPeer = null;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                for (int i = 0; i < 2_000 && clock.Elapsed < TimeSpan.FromSeconds(60); i++)
                {
                    if (i == 1_000)
                    {
                        goodPeer = await TimeRoundTripAsync(endpoint);
                    }

                    RawZmtp attacker;
                    try
                    {
                        attacker = await RawZmtp.ConnectAsync(endpoint, sources[i % sources.Length]);
                    }
                    catch (System.Net.Sockets.SocketException)
                    {
                        // Reset before the connect even completed here: a cap closing it at once.
                        closings.Add(Task.FromResult((TimeSpan.Zero, 0)));
                        continue;
                    }

                    attackers.Add(attacker);
                    byte[] greeting = ZmtpBytes.Greeting();
                    byte[] opening = (i % 3) switch
                    {
                        0 => [],
                        1 => greeting[..20],
                        _ => [.. greeting, .. ZmtpBytes.Ready()],
                    };
                    if (opening.Length > 0)
                    {
                        // A refused (reset) connection may fail the send: that is the cap working.
                        await attacker.SendAsync(opening).ContinueWith(_ => { }, TaskScheduler.Default);
                    }

                    closings.Add(attacker.ReadUntilClosedAsync(deadline + TimeSpan.FromSeconds(10)));
                    if (i % 50 == 0)
                    {
                        fdsPeak = Math.Max(fdsPeak, ProcStatus.OpenDescriptors(broker.Id));
                        rssPeak = Math.Max(rssPeak, ProcStatus.RssKb(broker.Id));
                    }
                }

                Assert.Equal(2_000, closings.Count);
                (TimeSpan Elapsed, int Bytes)[] closed = await Task.WhenAll(closings);
                int atOnce = closed.Count(c => c.Elapsed < TimeSpan.FromMilliseconds(500));
                TimeSpan slowest = closed.Max(c => c.Elapsed);
                // The broker closes its descriptor just after the close the peer sees.
                await Waits.UntilAsync(
                    () => Task.FromResult(ProcStatus.OpenDescriptors(broker.Id) <= fdsBefore + 8), "the broker's descriptors back to idle", TimeSpan.FromSeconds(10));
                int fdsAfter = ProcStatus.OpenDescriptors(broker.Id);
                output.WriteLine($"{closed.Length} attack connections in {clock.Elapsed.TotalSeconds:0.0} s: {atOnce} closed at once (caps), " +
                    $"the rest by the {deadline.TotalSeconds} s deadline; slowest close {slowest.TotalMilliseconds:0} ms");
                output.WriteLine($"broker descriptors {fdsBefore} before, peak {fdsPeak}, {fdsAfter} after; RSS {rssBefore / 1024} MB before, peak {rssPeak / 1024} MB");
                output.WriteLine($"a good peer connected, subscribed and got its message in {goodPeer?.TotalMilliseconds:0.0} ms during the attack");

                Assert.True(slowest < deadline + TimeSpan.FromSeconds(1.5), $"a connection was held {slowest}");
                Assert.True(atOnce > 0, "no connection was capped");
                Assert.True(fdsPeak <= fdsBefore + sources.Length * 64 + 32, $"{fdsPeak - fdsBefore} more descriptors at the peak: the caps did not hold");
                Assert.True(rssPeak - rssBefore < 64 * 1024, $"RSS grew by {(rssPeak - rssBefore) / 1024} MB");
                Assert.True(goodPeer < TimeSpan.FromSeconds(1), $"the good peer took {goodPeer?.ToString() ?? "(never ran)"}");
            }
            finally
            {
                attackers.ForEach(a => a.Dispose());
            }

            Assert.False(broker.HasExited, broker.Output);
        }
    }

    [Fact]
    public async Task A_hello_without_auth_is_closed_by_the_handshake_deadline()
    {
        // Refusals log at Debug (docs/observability.md): the operator who wants each line turns it on.
        await using SecuredBroker broker = await SecuredBroker.StartAsync("--Broker:HandshakeTimeout=00:00:01", "--Serilog:MinimumLevel:Override:Mq.Broker=Debug");
        using RawZmtp peer = await RawZmtp.ConnectAsync(broker.Endpoint);
        await peer.HandshakeAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(await peer.ReadFrameAsync(TimeSpan.FromSeconds(5))); // CONNECTED
        await peer.SendAsync(RawZmtp.MqFrame((ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, ProtocolVersion.Current, "no-auth", null)));

        (TimeSpan elapsed, _) = await peer.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));
        output.WriteLine($"closed {elapsed.TotalMilliseconds:0} ms after HELLO");
        Assert.True(elapsed < TimeSpan.FromSeconds(2.5), $"held for {elapsed}");
        await broker.Process.WaitForLineAsync("no session within 1 s of connecting", TimeSpan.FromSeconds(5));
    }

    /// <summary>Connects a client, subscribes, publishes to itself and receives it; returns how long all that took.</summary>
    private static async Task<TimeSpan> TimeRoundTripAsync(string endpoint)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using MqClient client = await MqClient.ConnectAsync(MqClientOptions.Default with
        {
            Endpoint = endpoint,
            Name = "good-peer",
            ConnectTimeout = TimeSpan.FromSeconds(10),
        });
        await using MqSubscription subscription = await client.SubscribeAsync("good.news");
        await client.PublishAsync("good.news", 1);
        await subscription.TakeAsync(1, TimeSpan.FromSeconds(10));
        return clock.Elapsed;
    }

    private static async Task AssertServesAsync(string endpoint) => Assert.True(await TimeRoundTripAsync(endpoint) < TimeSpan.FromSeconds(10));
}
