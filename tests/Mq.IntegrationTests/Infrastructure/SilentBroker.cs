using System.Net;
using System.Net.Sockets;
using MessagePack;
using Mq.Protocol;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.IntegrationTests.Infrastructure;

/// <summary>
/// A broker that welcomes each connection and then says nothing more, while its transport stays alive: it answers
/// every ZMTP PING with a PONG, so ZeroMQ's own heartbeats never drop the connection. This is a broker whose
/// routing thread stalled while its sockets did not, the case in which only the peer's own timeout helps.
/// </summary>
public sealed class SilentBroker : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<RawZmtp> _connections = [];
    private readonly Task _accepting;
    private readonly TaskCompletionSource _reconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _accepted;

    /// <param name="timeoutMs">The session timeout its WELCOME announces.</param>
    /// <param name="unixPath">A Unix socket to listen on instead of a TCP loopback port.</param>
    public SilentBroker(int timeoutMs, string? unixPath = null)
    {
        if (unixPath is null)
        {
            _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Endpoint = $"tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}";
        }
        else
        {
            _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _listener.Bind(new UnixDomainSocketEndPoint(unixPath));
            Endpoint = "unix://" + unixPath;
        }

        _listener.Listen();
        _accepting = AcceptAsync(timeoutMs);
    }

    public string Endpoint { get; }

    /// <summary>Completes when a second connection arrives: the peer gave up on the first.</summary>
    public Task Reconnected => _reconnected.Task;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        lock (_connections)
        {
            foreach (RawZmtp connection in _connections)
            {
                connection.Dispose();
            }
        }

        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task AcceptAsync(int timeoutMs)
    {
        var serving = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket = await _listener.AcceptAsync(_stop.Token);
                var connection = RawZmtp.Accepted(socket);
                lock (_connections)
                {
                    _connections.Add(connection);
                }

                if (Interlocked.Increment(ref _accepted) == 2)
                {
                    _reconnected.TrySetResult();
                }
                serving.Add(ServeAsync(connection, timeoutMs));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        await Task.WhenAll(serving).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ServeAsync(RawZmtp connection, int timeoutMs)
    {
        try
        {
            await connection.SendAsync([.. ZmtpBytes.Greeting(), .. ZmtpBytes.Ready("ROUTER")], _stop.Token);
            await connection.SendMqAsync((ref MessagePackWriter w) => CommandWriter.WriteConnected(ref w, ProtocolVersion.Supported, "silent"), _stop.Token);
            bool welcomed = false;

            // Bounded by the connection: the peer closing it (or the test stopping) ends the loop.
            while (!_stop.IsCancellationRequested && await connection.ReadFrameAsync(TimeSpan.FromSeconds(30)) is (byte flags, byte[] body))
            {
                if ((flags & 0x04) != 0 && body.AsSpan().StartsWith("\u0004PING"u8))
                {
                    // PING: name, 2-byte TTL, context; PONG carries the context back.
                    await connection.SendAsync(ZmtpBytes.Frame([4, .. "PONG"u8, .. body.AsSpan(7)], flags: 0x04), _stop.Token);
                }
                else if ((flags & 0x04) == 0 && !welcomed)
                {
                    welcomed = true;
                    var settings = new Dictionary<string, object?> { ["heartbeat_ms"] = 100L, ["timeout_ms"] = (long)timeoutMs };
                    await connection.SendMqAsync((ref MessagePackWriter w) => CommandWriter.WriteWelcome(ref w, ProtocolVersion.Current, "peer-1", settings), _stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // The peer left or the test stopped.
        }
    }
}
