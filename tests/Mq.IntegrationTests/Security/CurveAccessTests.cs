using System.Diagnostics;
using Mq.Broker.Server;
using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using NetMQ;

namespace Mq.IntegrationTests.Security;

/// <summary>Who gets a session with a CURVE broker: only peers that pinned its public key.</summary>
public sealed class CurveAccessTests
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    private readonly NetMQCertificate _brokerKeys = new();

    [Fact]
    public async Task A_peer_pinned_to_another_key_gets_nothing_and_good_peers_are_still_served()
    {
        await using InProcessBroker broker = CurveBroker();
        string impostorKey = new NetMQCertificate().PublicKeyZ85;

        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<NotConnectedException>(async () =>
            await MqClient.ConnectAsync(Options(broker, "wrong-key") with { BrokerPublicKey = impostorKey }));
        Assert.True(watch.Elapsed < ConnectTimeout + TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");

        await AssertServedAsync(broker);
    }

    [Fact]
    public async Task A_plaintext_peer_gets_nothing_from_a_curve_broker()
    {
        await using InProcessBroker broker = CurveBroker();

        await Assert.ThrowsAsync<NotConnectedException>(async () =>
            await MqClient.ConnectAsync(Options(broker, "plaintext") with { BrokerPublicKey = null }));

        await AssertServedAsync(broker);
    }

    [Fact]
    public async Task A_peer_with_its_own_key_file_is_served()
    {
        using var keys = new TempKeys();
        (_, string peerKeyFile) = keys.Write("peer.key");
        await using InProcessBroker broker = CurveBroker();

        await using MqClient peer = await MqClient.ConnectAsync(Options(broker, "own-key") with { SecretKeyFile = peerKeyFile });
        await using MqService echo = await peer.ServeAsync<string, string>("own.echo", (s, _) => ValueTask.FromResult(s));
        Assert.Equal("x", await peer.RequestAsync<string, string>("own.echo", "x"));
    }

    [Fact]
    public void Client_key_errors_never_show_the_key()
    {
        string secret = new NetMQCertificate().SecretKeyZ85!;
        var options = MqClientOptions.Default with { SecretKey = secret[..39] + "~", BrokerPublicKey = _brokerKeys.PublicKeyZ85 };

        var error = Assert.Throws<ArgumentException>(() => new MqClient(options));
        Assert.DoesNotContain(secret[..39], error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret[..39], (options with { SecretKey = secret }).ToString(), StringComparison.Ordinal);
    }

    private InProcessBroker CurveBroker() => new(o =>
    {
        o.Curve = new BrokerCurveOptions { SecretKey = _brokerKeys.SecretKeyZ85 };
        return o;
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
