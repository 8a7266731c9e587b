using System.Text.Json;
using System.Text.RegularExpressions;
using Mq.Broker.Server;
using Mq.Client;
using Mq.Errors;

namespace Mq.Testing;

/// <summary>
/// A broker for one test (or one fixture): in-process over <see cref="BrokerServer"/>, or as its own OS process,
/// on a free loopback port, optionally secured with keys and identities generated for the test. It hands out
/// client options and peer environments, waits until quiet, and restarts on the same endpoint. Dispose it to stop
/// the broker and delete what it generated.
/// </summary>
public sealed partial class TestBroker : IAsyncDisposable
{
    private readonly TestBrokerOptions _options;
    private readonly TestSecurity? _security;
    private readonly string _directory;
    private MqClient? _control;

    private TestBroker(TestBrokerOptions options, TestSecurity? security, string directory)
    {
        _options = options;
        _security = security;
        _directory = directory;
    }

    /// <summary>
    /// Where peers connect, <c>tcp://127.0.0.1:port</c>, or with <see cref="TestBrokerOptions.Unix"/> the broker's
    /// <c>unix:///.../broker.sock</c>; the same after <see cref="RestartAsync"/>.
    /// </summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>The broker's TCP endpoint, <c>tcp://127.0.0.1:port</c> (the same as <see cref="Endpoint"/> unless on a Unix socket).</summary>
    public string TcpEndpoint { get; private set; } = "";

    /// <summary>The in-process broker (a new one after each restart); null when the broker is a process.</summary>
    public BrokerServer? Server { get; private set; }

    /// <summary>The broker process (a new one after each restart); null when the broker is in-process.</summary>
    public PeerProcess? Process { get; private set; }

    /// <summary>The generated keys and policy; null unless secured.</summary>
    public TestSecurity? Security => _security;

    /// <summary>Starts a broker in this process; <paramref name="configure"/> changes its options.</summary>
    public static async Task<TestBroker> StartAsync(Action<TestBrokerOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var options = new TestBrokerOptions();
        configure?.Invoke(options);
        bool secure = options.Secure || options.Identities.Count > 0;
        if (secure && options.Unix)
        {
            throw new ArgumentException("TestBrokerOptions.Unix cannot go with Secure or Identities: a Unix socket has no secure channel", nameof(configure));
        }

        TestSecurity? security = secure ? TestSecurity.Create(options) : null;
        if (security is not null)
        {
            options.Broker.Curve = new BrokerCurveOptions { SecretKeyFile = security.BrokerSecretKeyFile };
            options.Broker.PolicyFile = security.PolicyFile;
        }

        var broker = new TestBroker(options, security, security?.Directory ?? Directory.CreateTempSubdirectory("mq-testing-").FullName);
        string? unix = options.Unix ? "unix://" + Path.Combine(broker._directory, "broker.sock") : null;
        if (unix is not null)
        {
            options.Broker.Endpoints = [.. options.Broker.Endpoints ?? [], unix];
        }

        try
        {
            await broker.LaunchAsync(cancellationToken);
            broker.TcpEndpoint = broker.Server?.Endpoint ?? broker.TcpEndpoint;

            // A restart binds the port the first start found free.
            options.Broker.Endpoint = broker.TcpEndpoint;
            broker.Endpoint = unix ?? broker.TcpEndpoint;
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a broker as its own OS process (the kit's broker host); <paramref name="configure"/> changes its options.</summary>
    public static Task<TestBroker> StartProcessAsync(Action<TestBrokerOptions>? configure = null, CancellationToken cancellationToken = default) =>
        StartAsync(options =>
        {
            options.AsProcess = true;
            configure?.Invoke(options);
        }, cancellationToken);

    /// <summary>
    /// Options for a client of this broker named <paramref name="name"/>: the endpoint, the pinned broker key when
    /// secured, and the key of <paramref name="identity"/> when given.
    /// </summary>
    public MqClientOptions ClientOptions(string name, string? identity = null) => MqClientOptions.Default with
    {
        Endpoint = Endpoint,
        Name = name,
        BrokerPublicKey = _security?.BrokerPublicKey,
        Identity = identity,
        IdentityKeyFile = identity is null ? null : KeyFileOf(identity),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Connects a client (see <see cref="ClientOptions"/>); the caller disposes it.</summary>
    public ValueTask<MqClient> ConnectAsync(string name, string? identity = null, CancellationToken cancellationToken = default) =>
        MqClient.ConnectAsync(ClientOptions(name, identity), cancellationToken: cancellationToken);

    /// <summary>
    /// Returns once everything the broker has received so far is delivered to every connected peer (or dropped and
    /// reported) and no request is in flight: see "Quiet" in docs/protocol.md. Throws <see cref="TimeoutException"/>
    /// saying what was still busy.
    /// </summary>
    public async Task WaitForQuietAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (Server is not null)
        {
            await Server.WaitForQuietAsync(timeout, cancellationToken);
            return;
        }

        _control ??= await ConnectAsync("mq-testing", _security?.PolicyFile is null ? null : TestSecurity.KitIdentity, cancellationToken);
        try
        {
            await _control.RequestAsync<bool, bool>(QuietService, true, new RequestOptions { Timeout = timeout }, cancellationToken);
        }
        catch (MqTimeoutException ex)
        {
            throw new TimeoutException($"The broker was not quiet within {timeout.TotalSeconds:0.###} s: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Stops the broker and starts it again on the same endpoint, keys and policy: peers see the connection drop and
    /// reconnect. A process broker is killed (as a crash would); an in-process one stops with BYE to every peer.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopBrokerAsync();
        await LaunchAsync(cancellationToken);
    }

    /// <summary>Closes the connection of every peer named <paramref name="peerName"/>, as a network failure would; returns how many. In-process brokers only (for a process broker, put a <see cref="TcpProxy"/> between).</summary>
    public Task<int> SeverAsync(string peerName, CancellationToken cancellationToken = default) =>
        Server is not null
            ? Server.DisconnectPeerAsync(peerName, cancellationToken)
            : throw new NotSupportedException("SeverAsync needs an in-process broker; with a broker process, connect the peer through a TcpProxy and sever it there");

    public async ValueTask DisposeAsync()
    {
        await StopBrokerAsync();
        if (_security is not null)
        {
            _security.Dispose();
        }
        else if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>The key file of an identity the broker's policy knows; one clear error for any other.</summary>
    private string KeyFileOf(string identity) =>
        _security is not null && (_options.Identities.ContainsKey(identity) || identity == TestSecurity.KitIdentity && _security.PolicyFile is not null)
            ? _security.KeyFile(identity)
            : throw new ArgumentException($"this broker has no identity '{identity}'; add it with TestBrokerOptions.AddIdentity or Identities", nameof(identity));

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        if (!_options.AsProcess)
        {
            var server = new BrokerServer(_options.Broker, _options.LoggerFactory);
            await server.StartAsync(cancellationToken);
            Server = server;
            return;
        }

        string config = Path.Combine(_directory, "broker.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(_options.Broker), cancellationToken);
        PeerProcess process = PeerProcess.Start(BrokerHost.Start(_directory, config));
        try
        {
            string ready = await process.WaitForLineAsync(line => ReadyLine().IsMatch(line), _options.StartTimeout);
            TcpEndpoint = ReadyLine().Match(ready).Groups["endpoint"].Value;
            Process = process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private async Task StopBrokerAsync()
    {
        if (_control is not null)
        {
            await _control.DisposeAsync();
            _control = null;
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
            Server = null;
        }

        if (Process is not null)
        {
            await Process.DisposeAsync();
            Process = null;
        }
    }

    private const string QuietService = "$SYS.quiet";

    [GeneratedRegex(BrokerHost.ReadyPattern)]
    private static partial Regex ReadyLine();
}
