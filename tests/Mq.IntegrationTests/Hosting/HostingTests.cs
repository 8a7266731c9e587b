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
    public async Task A_hosted_peer_configured_with_the_broker_public_key_talks_to_a_curve_broker()
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
    public async Task A_missing_peer_key_file_fails_the_start_with_the_reason()
    {
        using IHost host = BuildHost(new Received(), ("Mq:Endpoint", _broker.Endpoint),
            ("Mq:BrokerPublicKey", new NetMQ.NetMQCertificate().PublicKeyZ85!), ("Mq:SecretKeyFile", "/nonexistent/peer.key"));
        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("cannot read key file '/nonexistent/peer.key'", error.Message);
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
