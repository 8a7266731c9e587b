using System.Net;
using System.Net.Sockets;
using Mq.Broker.Server;
using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;
using Mq.Testing;

namespace Mq.IntegrationTests.Discovery;

/// <summary>Peers with the endpoint <c>auto</c> find a broker by its UDP discovery answer (docs/protocol.md §1.3), on loopback.</summary>
public sealed class DiscoveryTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_peer_with_the_endpoint_auto_connects_to_the_broker_that_answers_and_talks_through_it()
    {
        await using TestBroker broker = await StartAsync("127.0.0.1:0");
        await using MqClient subscriber = await MqClient.ConnectAsync(Auto(broker, "auto-sub"));
        await using MqClient publisher = await MqClient.ConnectAsync(Auto(broker, "auto-pub"));
        await using MqSubscription subscription = await subscriber.SubscribeAsync("found.>");

        await publisher.PublishAsync("found.it", "hello");
        await publisher.FlushAsync();

        Assert.Equal(broker.Endpoint, subscriber.Endpoint);
        Assert.Equal("hello", (await subscription.TakeAsync(1))[0].Deserialize<string>());
    }

    [Fact]
    public async Task A_broker_bound_to_every_address_answers_with_the_address_the_prober_can_reach()
    {
        await using TestBroker broker = await TestBroker.StartAsync(o =>
        {
            o.Broker.Endpoint = "tcp://0.0.0.0:0";
            o.Broker.Discovery.Address = "127.0.0.1:0";
        });

        await using MqClient client = await MqClient.ConnectAsync(Auto(broker, "wildcard"));

        int port = new Uri(broker.Endpoint).Port;
        Assert.Equal($"tcp://127.0.0.1:{port}", client.Endpoint);
    }

    [Fact]
    public async Task With_no_broker_answering_the_connect_fails_in_time_with_one_clear_error()
    {
        // A bound socket that never answers: the probes are received and ignored, as by a host with no broker.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        MqClientOptions options = MqClientOptions.Default with
        {
            Endpoint = MqClientOptions.AutoEndpoint,
            DiscoveryAddress = $"127.0.0.1:{((IPEndPoint)silent.LocalEndPoint!).Port}",
            ConnectTimeout = TimeSpan.FromSeconds(1),
        };

        NotConnectedException error = await Assert.ThrowsAsync<NotConnectedException>(async () => await MqClient.ConnectAsync(options).AsTask().WaitAsync(Wait));

        Assert.Contains($"no Mq broker answered discovery at {options.DiscoveryAddress} within 1 s", error.Message);
        Assert.Contains("start the broker with --discovery (Broker:Discovery:Address)", error.Message);
    }

    [Fact]
    public async Task Datagrams_that_are_not_probes_get_no_answer_and_the_broker_goes_on_answering_probes()
    {
        await using TestBroker broker = await StartAsync("127.0.0.1:0");
        IPEndPoint discovery = broker.Server!.DiscoveryEndPoint!;
        using var prober = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        prober.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        byte[] truncated = DiscoveryWire.Probe()[..20];
        byte[] oversized = [.. DiscoveryWire.Probe(), .. new byte[100]];
        byte[] dirty = DiscoveryWire.Probe();
        dirty[^1] = (byte)'x';

        foreach (byte[] bad in new[] { "GET / HTTP/1.0\r\n\r\n"u8.ToArray(), truncated, oversized, dirty, new byte[60_000] })
        {
            await prober.SendToAsync(bad, SocketFlags.None, discovery);
        }

        await prober.SendToAsync(DiscoveryWire.Probe(), SocketFlags.None, discovery);
        byte[] buffer = new byte[DiscoveryWire.DatagramBytes + 1];
        SocketReceiveFromResult answer = await prober.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(Wait);

        // The first datagram back answers the probe: none of the bad ones got a reply before it.
        Assert.True(DiscoveryWire.TryParseAnswer(buffer.AsSpan(0, answer.ReceivedBytes), out string endpoint, out string name));
        Assert.Equal((broker.Endpoint, "mq-test-broker"), (endpoint, name));
        Assert.InRange(answer.ReceivedBytes, 1, DiscoveryWire.DatagramBytes);
        Assert.Equal(0, prober.Available);
    }

    [Theory]
    [InlineData("nowhere:7445", "Broker:Discovery:Address 'nowhere:7445' must be host:port with an IP address")]
    [InlineData("127.0.0.1:99999", "Broker:Discovery:Address '127.0.0.1:99999' must be host:port")]
    public void A_bad_discovery_address_is_one_clear_error_at_start(string address, string message)
    {
        var options = new BrokerOptions { Discovery = { Address = address } };

        Assert.Contains(options.Validate(), problem => problem.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Discovery_on_a_broker_with_only_unix_endpoints_needs_an_announced_endpoint()
    {
        var unixOnly = new BrokerOptions { Endpoint = "unix:///tmp/mq-discovery-test.sock", Discovery = { Address = "127.0.0.1:0" } };
        var announced = new BrokerOptions { Endpoint = "unix:///tmp/mq-discovery-test.sock", Discovery = { Address = "127.0.0.1:0", Announce = "tcp://10.0.0.5:5555" } };

        Assert.Contains(unixOnly.Validate(), problem => problem.StartsWith("Broker:Discovery answers peers on the network, which reach the broker over TCP", StringComparison.Ordinal));
        Assert.DoesNotContain(announced.Validate(), problem => problem.StartsWith("Broker:Discovery", StringComparison.Ordinal));
    }

    private static Task<TestBroker> StartAsync(string discoveryAddress) =>
        TestBroker.StartAsync(o => o.Broker.Discovery.Address = discoveryAddress);

    private static MqClientOptions Auto(TestBroker broker, string name) => broker.ClientOptions(name) with
    {
        Endpoint = MqClientOptions.AutoEndpoint,
        DiscoveryAddress = broker.Server!.DiscoveryEndPoint!.ToString(),
    };
}
