using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Mq.Client;
using Mq.Hosting;
using Mq.IntegrationTests.Infrastructure;

namespace Mq.IntegrationTests.Hosting;

public sealed class HostingTests : IAsyncLifetime
{
    private readonly InProcessBroker _broker = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Handlers_are_resolved_from_DI_with_a_scope_per_message_and_stop_with_the_host()
    {
        var log = new Received();
        using IHost host = BuildHost(log, ("Mq:Endpoint", _broker.Endpoint), ("Mq:Name", "hosted-worker"));
        await host.StartAsync();

        MqClient outside = await _broker.ConnectAsync("outside");
        for (int i = 0; i < 3; i++)
        {
            await outside.PublishAsync("orders.created", i);
        }

        Assert.Equal(6, await outside.RequestAsync<int, int>("doubler", 3));
        await Waits.UntilAsync(() => Task.FromResult(log.Values.Count == 3), "three messages handled");
        Assert.Equal([0, 1, 2], log.Values.Order());
        Assert.Equal(4, log.Scopes.Distinct().Count()); // three messages and one request, each in its own scope

        await host.StopAsync();
        await Assert.ThrowsAsync<Mq.Errors.NoRespondersException>(async () => await outside.RequestAsync<int, int>("doubler", 3));
    }

    [Fact]
    public async Task Invalid_configuration_fails_the_start_with_the_reason()
    {
        using IHost host = BuildHost(new Received(), ("Mq:Endpoint", "not-an-endpoint"));
        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Endpoint", error.Message);
    }

    [Fact]
    public async Task An_unreachable_broker_fails_the_start_in_bounded_time()
    {
        string endpoint = _broker.Endpoint;
        await _broker.Server.StopAsync();
        using IHost host = BuildHost(new Received(), ("Mq:Endpoint", endpoint), ("Mq:ConnectTimeout", "00:00:00.300"));
        await Assert.ThrowsAsync<Mq.Errors.NotConnectedException>(() => host.StartAsync().WaitAsync(Waits.Default));
    }

    [Fact]
    public async Task A_hosted_peer_configured_with_the_broker_public_key_talks_to_a_broker_with_that_key()
    {
        var brokerKeys = new NetMQ.NetMQCertificate();
        await using var curveBroker = new InProcessBroker(o =>
        {
            o.Curve = new Mq.Broker.Server.BrokerCurveOptions { SecretKey = brokerKeys.SecretKeyZ85 };
            return o;
        });
        using IHost host = BuildHost(new Received(), ("Mq:Endpoint", curveBroker.Endpoint), ("Mq:BrokerPublicKey", brokerKeys.PublicKeyZ85!));
        await host.StartAsync();

        MqClient outside = await curveBroker.ConnectAsync("outside", o => o with { BrokerPublicKey = brokerKeys.PublicKeyZ85 });
        Assert.Equal(8, await outside.RequestAsync<int, int>("doubler", 4));
        await host.StopAsync();
    }

    [Fact]
    public async Task The_retired_peer_key_setting_is_an_unknown_key_and_fails_the_start()
    {
        using IHost host = BuildHost(new Received(), ("Mq:Endpoint", _broker.Endpoint),
            ("Mq:BrokerPublicKey", new NetMQ.NetMQCertificate().PublicKeyZ85!), ("Mq:SecretKeyFile", "/etc/mq/peer.key"));
        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("SecretKeyFile", error.Message);
    }

    /// <summary>
    /// The downgrade of issue #11 against a hosted peer: a fake broker with a legacy greeting gets its handshake
    /// message and nothing else (no HELLO, no AUTH, no name, no identity), and the host's start fails saying why.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_hosted_peer_pinning_the_key_tells_a_fake_broker_nothing(bool zmtp1)
    {
        await using var fake = new Mq.TestSupport.LegacyFakeBroker(zmtp1);
        using var identity = new TempIdentity();
        using IHost host = BuildHost(new Received(), ("Mq:Endpoint", fake.Endpoint), ("Mq:Name", "hosted-victim"),
            ("Mq:BrokerPublicKey", new NetMQ.NetMQCertificate().PublicKeyZ85!), ("Mq:ConnectTimeout", "00:00:02"),
            ("Mq:Identity", "trusted"), ("Mq:IdentityKeyFile", identity.Path));

        var error = await Assert.ThrowsAsync<Mq.Errors.NotConnectedException>(() => host.StartAsync().WaitAsync(Waits.Default));
        Assert.Contains("did not prove it holds the pinned key", error.Message);
        byte[] recorded = fake.Recorded;
        foreach (string marker in new[] { "hosted-victim", "trusted", "orders.", "doubler" })
        {
            Assert.True(recorded.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(marker)) < 0, $"the fake saw '{marker}'");
        }

        Assert.True(recorded.AsSpan().IndexOf((byte[])[0x92, 0x13, 0xc4, 0x30]) >= 0, "the fake saw no SECURE message");
    }

    /// <summary>An identity key file of its own, deleted afterwards.</summary>
    private sealed class TempIdentity : IDisposable
    {
        public TempIdentity()
        {
            using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            File.WriteAllText(Path, key.ExportPkcs8PrivateKeyPem());
        }

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mq-identity-{Guid.NewGuid():N}.key");

        public void Dispose() => File.Delete(Path);
    }

    [Fact]
    public async Task A_damaged_identity_key_file_fails_the_start_with_the_file_and_the_problem()
    {
        string damaged = Path.Combine(Path.GetTempPath(), $"mq-identity-{Guid.NewGuid():N}.key");
        await File.WriteAllTextAsync(damaged, "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n");
        try
        {
            using IHost host = BuildHost(new Received(), ("Mq:Endpoint", _broker.Endpoint), ("Mq:Identity", "billing"), ("Mq:IdentityKeyFile", damaged));
            OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
            Assert.Contains($"identity key file '{damaged}' does not hold a PEM ECDSA private key", error.Message);
        }
        finally
        {
            File.Delete(damaged);
        }
    }

    private static IHost BuildHost(Received log, params (string Key, string Value)[] settings)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.Services.AddSingleton(log);
        builder.Services.AddScoped<ScopeId>();
        builder.Services.AddMq(builder.Configuration.GetSection("Mq"))
            .AddSubscription<OrderHandler, int>("orders.*")
            .AddService<Doubler, int, int>("doubler");
        return builder.Build();
    }

    public sealed class Received
    {
        public ConcurrentBag<int> Values { get; } = [];

        public ConcurrentBag<Guid> Scopes { get; } = [];
    }

    public sealed class ScopeId
    {
        public Guid Value { get; } = Guid.NewGuid();
    }

    public sealed class OrderHandler(Received log, ScopeId scope) : IMqMessageHandler<int>
    {
        public ValueTask HandleAsync(int payload, MqMessage message, CancellationToken cancellationToken)
        {
            log.Scopes.Add(scope.Value);
            log.Values.Add(payload);
            return ValueTask.CompletedTask;
        }
    }

    public sealed class Doubler(Received log, ScopeId scope) : IMqRequestHandler<int, int>
    {
        public ValueTask<int> HandleAsync(int request, MqRequest context, CancellationToken cancellationToken)
        {
            log.Scopes.Add(scope.Value);
            return ValueTask.FromResult(request * 2);
        }
    }
}
