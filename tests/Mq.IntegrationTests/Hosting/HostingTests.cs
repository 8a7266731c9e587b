using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mq.Client;
using Mq.Hosting;
using Mq.IntegrationTests.Infrastructure;

namespace Mq.IntegrationTests.Hosting;

public sealed class HostingTests : IAsyncLifetime
{
    private InProcessBroker _broker = null!;
    private readonly RecordingLoggerProvider _logs = new();

    public async Task InitializeAsync() => _broker = await InProcessBroker.StartAsync();

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
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_hosted_worker_configured_with_a_unix_endpoint_serves_and_subscribes_over_the_socket()
    {
        using var folder = new SocketFolder();
        await using InProcessBroker broker = await InProcessBroker.StartAsync(o => o.Endpoints = [folder.Endpoint()]);
        var log = new Received();
        using IHost host = BuildHost(log, ("Mq:Endpoint", folder.Endpoint()), ("Mq:Name", "unix-worker"));
        await host.StartAsync();
        Assert.Equal(folder.Endpoint(), host.Services.GetRequiredService<MqClient>().Endpoint);

        MqClient outside = await broker.ConnectAsync("outside");
        await outside.PublishAsync("orders.created", 5);
        Assert.Equal(8, await outside.RequestAsync<int, int>("doubler", 4));
        await Waits.UntilAsync(() => Task.FromResult(log.Values.Count == 1), "the message handled");
        await host.StopAsync();
    }

    [Fact]
    public async Task A_unix_endpoint_with_a_pinned_broker_key_stops_the_host_with_one_line()
    {
        var logs = new RecordingLoggerProvider();
        using IHost host = BuildHost(new Received(), logs, ("Mq:Endpoint", "unix:///run/mq/broker.sock"), ("Mq:BrokerPublicKey", new NetMQ.NetMQCertificate().PublicKeyZ85));
        string line = await FailedStartAsync(host, logs, exitCode: 3);
        Assert.Contains("BrokerPublicKey cannot be used with unix:///run/mq/broker.sock", line);
    }

    [Fact]
    public async Task Invalid_configuration_stops_the_host_with_one_line_and_exit_code_3()
    {
        var logs = new RecordingLoggerProvider();
        using IHost host = BuildHost(new Received(), logs, ("Mq:Endpoint", "not-an-endpoint"));
        string line = await FailedStartAsync(host, logs, exitCode: 3);
        Assert.Contains("Mq configuration is invalid", line);
        Assert.Contains("Endpoint must look like tcp://127.0.0.1:5555", line);
    }

    [Fact]
    public async Task Without_retry_an_unreachable_broker_stops_the_host_in_bounded_time_with_exit_code_2()
    {
        string endpoint = _broker.Endpoint;
        await _broker.Server.StopAsync();
        var logs = new RecordingLoggerProvider();
        using IHost host = BuildHost(new Received(), logs, ("Mq:Endpoint", endpoint), ("Mq:ConnectTimeout", "00:01:00"), ("Mq:RetryInitialConnect", "false"));
        string line = await FailedStartAsync(host, logs, exitCode: 2);
        Assert.Contains($"cannot reach the Mq broker at {endpoint}: connection refused", line);
    }

    [Fact]
    public async Task With_retry_a_broker_that_comes_up_late_is_waited_for_and_the_handlers_open()
    {
        string endpoint = _broker.Endpoint;
        await _broker.Server.StopAsync();
        var logs = new RecordingLoggerProvider();
        using IHost host = BuildHost(new Received(), logs, ("Mq:Endpoint", endpoint));
        Task start = host.StartAsync();
        await Waits.UntilAsync(() => Task.FromResult(logs.Lines.Any(l => l.Message.StartsWith("Waiting for the Mq broker", StringComparison.Ordinal))), "the waiting line");
        Assert.False(start.IsCompleted);

        await using InProcessBroker late = await InProcessBroker.StartAsync(o => o.Endpoint = endpoint);
        await start.WaitAsync(Waits.Default);
        Assert.Contains(logs.Lines, l => l.Message == "Mq service 'doubler' is open");
        Assert.Equal(6, await (await late.ConnectAsync("outside")).RequestAsync<int, int>("doubler", 3));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_hosted_peer_configured_with_the_broker_public_key_talks_to_a_broker_with_that_key()
    {
        var brokerKeys = new NetMQ.NetMQCertificate();
        await using var curveBroker = await InProcessBroker.StartAsync(o =>
        {
            o.Curve = new Mq.Broker.Server.BrokerCurveOptions { SecretKey = brokerKeys.SecretKeyZ85 };
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
        Assert.Contains("unknown setting Mq:SecretKeyFile", await FailedStartAsync(host, _logs, exitCode: 3));
    }

    /// <summary>
    /// The downgrade of issue #11 against a hosted peer: a fake broker with a legacy greeting gets the peer's ZMTP 3
    /// greeting and nothing else (no SECURE, no HELLO, no AUTH, no name, no identity), and the host's start fails saying why.
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
            ("Mq:Identity", "trusted"), ("Mq:IdentityKeyFile", identity.Path), ("Mq:RetryInitialConnect", "false"));

        Assert.Contains("the broker's greeting was refused", await FailedStartAsync(host, _logs, exitCode: 2));
        byte[] recorded = fake.Recorded;
        foreach (string marker in new[] { "hosted-victim", "trusted", "orders.", "doubler" })
        {
            Assert.True(recorded.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(marker)) < 0, $"the fake saw '{marker}'");
        }

        // The greeting is refused at its first wrong byte: not even the secure channel's first message leaves.
        Assert.True(recorded is [0xFF, ..], "the fake should see the peer's ZMTP 3 greeting");
        Assert.True(recorded.AsSpan().IndexOf((byte[])[0x92, 0x13, 0xc4, 0x30]) < 0, "the fake saw the peer's SECURE message");
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
            Assert.Contains($"identity key file '{damaged}' does not hold a PEM ECDSA private key", await FailedStartAsync(host, _logs, exitCode: 3));
        }
        finally
        {
            File.Delete(damaged);
        }
    }

    /// <summary>
    /// Starts a host whose Mq start must fail: the start completes, the host is told to stop, the process exit code is
    /// set (and reset here, as this is the test runner's process), and one critical line says why; returns that line.
    /// </summary>
    private static async Task<string> FailedStartAsync(IHost host, RecordingLoggerProvider logs, int exitCode)
    {
        try
        {
            await host.StartAsync().WaitAsync(Waits.Default);
            Assert.True(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
            Assert.Equal(exitCode, Environment.ExitCode);
            (_, string line, Exception? exception) = Assert.Single(logs.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Critical);
            Assert.Null(exception);
            return line;
        }
        finally
        {
            Environment.ExitCode = 0;
        }
    }

    private IHost BuildHost(Received log, params (string Key, string Value)[] settings) => BuildHost(log, _logs, settings);

    private static IHost BuildHost(Received log, RecordingLoggerProvider logs, params (string Key, string Value)[] settings)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddProvider(logs);
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
