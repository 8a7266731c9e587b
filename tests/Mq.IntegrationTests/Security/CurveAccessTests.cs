using System.Diagnostics;
using Mq.Broker.Server;
using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using NetMQ;

namespace Mq.IntegrationTests.Security;

/// <summary>Who gets a session with a broker that has a key: only peers that pinned its public key, through the secure channel.</summary>
public sealed class CurveAccessTests
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    private readonly NetMQCertificate _brokerKeys = new();

    [Fact]
    public async Task A_peer_pinned_to_another_key_gets_nothing_and_good_peers_are_still_served()
    {
        await using InProcessBroker broker = await CurveBroker();
        string impostorKey = new NetMQCertificate().PublicKeyZ85;

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<NotConnectedException>(async () =>
            await MqClient.ConnectAsync(Options(broker, "wrong-key") with { BrokerPublicKey = impostorKey }));
        Assert.Contains("did not prove it holds the pinned key", error.Message);
        Assert.True(watch.Elapsed < ConnectTimeout + TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");

        await AssertServedAsync(broker);
    }

    [Fact]
    public async Task A_plaintext_peer_gets_nothing_from_a_curve_broker()
    {
        await using InProcessBroker broker = await CurveBroker();

        await Assert.ThrowsAsync<NotConnectedException>(async () =>
            await MqClient.ConnectAsync(Options(broker, "plaintext") with { BrokerPublicKey = null }));

        await AssertServedAsync(broker);
    }

    [Fact]
    public async Task A_pinned_peer_refuses_a_broker_without_the_key_and_says_why()
    {
        await using var plain = await InProcessBroker.StartAsync();
        var errors = new List<MqException>();
        var client = new MqClient(MqClientOptions.Default with { Endpoint = plain.Endpoint, Name = "pinned", ConnectTimeout = ConnectTimeout, BrokerPublicKey = _brokerKeys.PublicKeyZ85 });
        client.Error += (_, e) => { lock (errors) { errors.Add(e.Error); } };
        await using (client)
        {
            var error = await Assert.ThrowsAsync<NotConnectedException>(async () => await client.ConnectAsync());
            Assert.Contains("did not prove it holds the pinned key", error.Message);
            Assert.Contains("this broker has no key", error.Message);
        }

        // Raised once for the run of refusals, however often the client tried again meanwhile.
        lock (errors)
        {
            Assert.Single(errors);
        }
    }

    private Task<InProcessBroker> CurveBroker() => InProcessBroker.StartAsync(o =>
    {
        o.Curve = new BrokerCurveOptions { SecretKey = _brokerKeys.SecretKeyZ85 };
    });

    private MqClientOptions Options(InProcessBroker broker, string name) => MqClientOptions.Default with
    {
        Endpoint = broker.Endpoint,
        Name = name,
        ConnectTimeout = ConnectTimeout,
        BrokerPublicKey = _brokerKeys.PublicKeyZ85,
    };

    private async Task AssertServedAsync(InProcessBroker broker)
    {
        MqClient good = await broker.ConnectAsync("good", o => o with { BrokerPublicKey = _brokerKeys.PublicKeyZ85 });
        await using MqService echo = await good.ServeAsync<string, string>("good.echo", (s, _) => ValueTask.FromResult("echo:" + s));
        Assert.Equal("echo:ok", await good.RequestAsync<string, string>("good.echo", "ok"));
    }
}
