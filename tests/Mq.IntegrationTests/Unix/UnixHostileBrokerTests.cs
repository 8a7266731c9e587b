using System.IO.Pipes;
using Microsoft.Extensions.Logging;
using System.Net.Sockets;
using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using Mq.TestSupport;

namespace Mq.IntegrationTests.Unix;

/// <summary>
/// The client's stream transport judges the broker as the broker judges its peers: a legacy or foreign greeting,
/// a socket type that is no ROUTER, and a frame announced past the client's limit are refused (the last from its
/// header, before anything is allocated), each with one error saying what. Also pipe:// and the pinned key's error.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UnixHostileBrokerTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly SocketFolder _folder = new();

    private string SocketPath => _folder.PathOf("fake.sock");

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string, byte[], string> BadBrokers => new()
    {
        { "ZMTP 2.0", [.. ZmtpBytes.Greeting(major: 1)], "the broker's greeting was refused: a legacy greeting (ZMTP revision 1)" },
        { "ZMTP 1.0", [0x01, 0x00, 0x00], "the broker's greeting was refused: not a ZMTP 3 greeting" },
        { "CURVE", [.. ZmtpBytes.Greeting(mechanism: "CURVE")], "the broker's greeting was refused: security mechanism 'CURVE' is not supported" },
        { "a PUB socket", [.. ZmtpBytes.Greeting(), .. ZmtpBytes.Ready("PUB")], "the broker's READY was refused: socket type 'PUB' cannot talk to a DEALER" },
    };

    [Theory]
    [MemberData(nameof(BadBrokers))]
    public async Task A_broker_with_a_bad_greeting_is_refused_and_the_connect_error_says_why(string what, byte[] sent, string expected)
    {
        using Socket listener = Listen();
        Task<int> closed = ServeOnceAsync(listener, sent);
        NotConnectedException error = await Assert.ThrowsAsync<NotConnectedException>(async () => await MqClient.ConnectAsync(Options(TimeSpan.FromSeconds(1))));
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{what}: {error.Message}");

        // The client hung up on it, sending its own greeting and READY at most.
        Assert.InRange(await closed.WaitAsync(Bound), 0, 64 + 64);
    }

    [Fact]
    public async Task A_frame_announced_past_the_clients_limit_closes_the_connection_before_anything_is_allocated()
    {
        using Socket listener = Listen();

        // A terabyte: allocating it would end the test process, so surviving is the proof the check came first.
        byte[] huge = [0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00];
        Task<int> closed = ServeOnceAsync(listener, [.. ZmtpBytes.Greeting(), .. ZmtpBytes.Ready("ROUTER"), .. huge]);
        NotConnectedException error = await Assert.ThrowsAsync<NotConnectedException>(async () => await MqClient.ConnectAsync(Options(TimeSpan.FromSeconds(1)) with { MaxPayloadBytes = 1024 * 1024 }));
        Assert.Contains("the broker announced a frame of 1099511627776 bytes; this client's limit is", error.Message);
        await closed.WaitAsync(Bound);
    }

    [Fact]
    public async Task A_broker_that_stops_reading_blocks_the_clients_writes_but_not_its_reading()
    {
        using Socket listener = Listen();
        using var stop = new CancellationTokenSource();
        Task broker = Task.Run(() => ServeWithoutReadingAsync(listener, stop.Token));
        var logs = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        await using MqClient client = await MqClient.ConnectAsync(Options(Bound) with { DrainTimeout = TimeSpan.FromMilliseconds(200) }, factory);
        Task<string> lost = client.NextStateAsync(ConnectionState.Disconnected);

        // Far more than the socket's buffers and the transport's own queue hold: the client's writes stall for good.
        Task flooding = Task.Run(async () =>
        {
            byte[] payload = new byte[64 * 1024];
            while (!stop.IsCancellationRequested)
            {
                await client.PublishAsync("flood", payload, cancellationToken: stop.Token);
            }
        });

        // The broker's heartbeats keep arriving (its WELCOME said 1.5 s of silence ends the session), so the session lives.
        Task first = await Task.WhenAny(lost, Task.Delay(TimeSpan.FromSeconds(4)));
        Assert.True(first != lost, first == lost ? $"{await lost}; the client's log: {string.Join(" | ", logs.Lines.Select(l => l.Message))}" : "");
        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.False(flooding.IsCompleted, flooding.Exception?.ToString() ?? "the publisher was never held back");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flooding).WaitAsync(Bound);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => broker).WaitAsync(Bound);
    }

    [Fact]
    public void A_pinned_broker_key_with_a_unix_endpoint_is_one_error_at_once()
    {
        var options = Options(TimeSpan.FromSeconds(1)) with { BrokerPublicKey = new NetMQ.NetMQCertificate().PublicKeyZ85 };
        ArgumentException error = Assert.Throws<ArgumentException>(() => new MqClient(options));
        Assert.Contains("BrokerPublicKey cannot be used with unix://", error.Message);
        Assert.Contains("the broker offers no secure channel on a Unix socket", error.Message);
    }

    [Fact]
    public async Task A_pipe_endpoint_is_the_socket_dotnet_named_pipes_use_and_a_named_pipe_client_reaches_the_broker()
    {
        string name = "mq-test-" + Guid.NewGuid().ToString("N")[..12];
        await using InProcessBroker broker = await InProcessBroker.StartAsync(o => o.Endpoints = ["pipe://" + name]);
        Assert.True(File.Exists(Path.Combine(Path.GetTempPath(), "CoreFxPipe_" + name)), "the socket file is where .NET looks for the pipe");

        // .NET's own named-pipe client connects to the broker's pipe endpoint and reads its ZMTP greeting.
        await using (var pipe = new NamedPipeClientStream(".", name, PipeDirection.InOut))
        {
            await pipe.ConnectAsync((int)Bound.TotalMilliseconds);
            byte[] greeting = new byte[64];
            await pipe.ReadExactlyAsync(greeting).AsTask().WaitAsync(Bound);
            Assert.Null(Mq.Protocol.ZmtpHandshake.CheckGreeting(greeting));
        }

        MqClient client = await broker.ConnectAsync("piped", o => o with { Endpoint = "pipe://" + name });
        await using MqService echo = await client.ServeAsync("echo", (r, _) => ValueTask.FromResult(r.Data));
        MqClient tcp = await broker.ConnectAsync("tcp");
        Assert.Equal(new byte[] { 3 }, (await tcp.RequestAsync("echo", new byte[] { 3 })).Data.ToArray());
    }

    private MqClientOptions Options(TimeSpan connectTimeout) =>
        MqClientOptions.Default with { Endpoint = "unix://" + SocketPath, Name = "judge", ConnectTimeout = connectTimeout, ReconnectIntervalMax = TimeSpan.FromSeconds(5) };

    private Socket Listen()
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        listener.Listen();
        return listener;
    }

    /// <summary>Welcomes one client with a 1.5 s session timeout, then only sends heartbeats every 100 ms and never reads again.</summary>
    private static async Task ServeWithoutReadingAsync(Socket listener, CancellationToken cancellationToken)
    {
        using RawZmtp connection = RawZmtp.Accepted(await listener.AcceptAsync(cancellationToken));
        await connection.SendAsync([.. ZmtpBytes.Greeting(), .. ZmtpBytes.Ready("ROUTER")], cancellationToken);
        await connection.SendMqAsync((ref MessagePack.MessagePackWriter w) => Mq.Protocol.CommandWriter.WriteConnected(ref w, Mq.Protocol.ProtocolVersion.Supported, "deaf"), cancellationToken);
        while (await connection.ReadFrameAsync(Bound) is (byte flags, _) && (flags & 0x04) != 0)
        {
            // The client's READY; its HELLO is the first message frame.
        }

        var settings = new Dictionary<string, object?> { ["heartbeat_ms"] = 100L, ["timeout_ms"] = 1500L };
        await connection.SendMqAsync((ref MessagePack.MessagePackWriter w) => Mq.Protocol.CommandWriter.WriteWelcome(ref w, Mq.Protocol.ProtocolVersion.Current, "peer-1", settings), cancellationToken);
        byte[] heartbeat = RawZmtp.MqFrame((ref MessagePack.MessagePackWriter w) => Mq.Protocol.CommandWriter.WriteHeartbeat(ref w));
        using var beat = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (await beat.WaitForNextTickAsync(cancellationToken))
        {
            await connection.SendAsync(heartbeat, cancellationToken);
        }
    }

    /// <summary>Accepts one connection, sends <paramref name="bytes"/>, and completes with what it received once the client closed it.</summary>
    private static async Task<int> ServeOnceAsync(Socket listener, byte[] bytes)
    {
        using Socket connection = await listener.AcceptAsync();
        await connection.SendAsync(bytes, SocketFlags.None);
        using var connectionOwner = RawZmtp.Accepted(connection);
        (_, int received) = await connectionOwner.ReadUntilClosedAsync(Bound);
        return received;
    }
}
