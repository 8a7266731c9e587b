using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Mq.Protocol;

namespace Mq.Broker.Transport;

/// <summary>
/// One listening endpoint of the broker, TCP or a Unix domain socket: accepts connections, admits each under the
/// caps of <see cref="ConnectionLimits"/> (shared by all endpoints; over a cap it is closed at once), numbers it, and
/// runs it until it ends or the listener stops. Both kinds carry the same ZMTP bytes; a Unix connection also carries
/// the kernel's word on who the peer is (<see cref="LocalPeer"/>).
/// </summary>
internal sealed partial class ZmtpListener : IAsyncDisposable
{
    private readonly ConnectionServices _services;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<uint, ZmtpConnection> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private Socket? _socket;
    private Task _acceptLoop = Task.CompletedTask;
    private readonly KeyCounter _keys;
    private string? _unixPath;
    private int _disposed;

    public ZmtpListener(ConnectionServices services, KeyCounter keys, ILogger logger)
    {
        _services = services;
        _keys = keys;
        _logger = logger;
    }

    /// <summary>
    /// Binds and listens; returns the endpoint as peers reach it (the real port when 0 was asked for). Throws
    /// <see cref="SocketException"/> or <see cref="ArgumentException"/> (a live or foreign socket file) when it cannot.
    /// </summary>
    public string Bind(ListenEndpoint endpoint)
    {
        if (endpoint.Path is { } path)
        {
            _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            UnixSocketFile.Bind(_socket, path, _services.Settings.UnixSocketMode, _services.Settings.UnixSocketGroup);
            _unixPath = path;
            _socket.Listen(512);
            return endpoint.Text;
        }

        IPAddress address = Resolve(endpoint.Host!);
        _socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _socket.Bind(new IPEndPoint(address, endpoint.Port));
        _socket.Listen(512);
        return $"{ListenEndpoint.TcpScheme}{endpoint.Host}:{((IPEndPoint)_socket.LocalEndPoint!).Port}";
    }

    public void Start() => _acceptLoop = AcceptLoopAsync();

    /// <summary>Before <see cref="Start"/>: lets the endpoint go (another one failed to bind), removing a socket file it made.</summary>
    public void Unbind()
    {
        _socket?.Dispose();
        _socket = null;
        if (_unixPath is not null)
        {
            UnixSocketFile.Remove(_unixPath);
            _unixPath = null;
        }
    }

    /// <summary>Stops accepting, closes every connection after it sent what is queued, and waits (bounded) for them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        _socket?.Dispose();
        if (_unixPath is not null)
        {
            // No new peer should find a file nobody answers on.
            UnixSocketFile.Remove(_unixPath);
        }

        await _acceptLoop;
        ZmtpConnection[] open = [.. _connections.Values];
        foreach (ZmtpConnection connection in open)
        {
            connection.Close();
        }

        await Task.WhenAll(open.Select(c => c.Completion)).WaitAsync(TransportSettings.CloseLinger * 2)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private static IPAddress Resolve(string host)
    {
        if (host is "*" or "0.0.0.0")
        {
            return IPAddress.Any;
        }

        if (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? address))
        {
            return address;
        }

        IPAddress[] found = Dns.GetHostAddresses(host);
        return found.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? found.First();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket!.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // Out of descriptors, say: wait a little rather than spin, and go on.
                LogAcceptFailed(ex.SocketErrorCode);
                await Task.Delay(TimeSpan.FromMilliseconds(50)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            try
            {
                Admit(accepted);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Reset by the peer before it could be looked at.
                accepted.Dispose();
            }
        }
    }

    private void Admit(Socket accepted)
    {
        Interlocked.Increment(ref _services.Counters.ConnectionsAccepted);
        LocalPeer? local = null;
        string source;
        if (_unixPath is not null)
        {
            // Read at once: the kernel keeps the credentials of the connecting process, whatever it does next.
            local = LocalPeer.Read(accepted);
            source = local?.SourceKey ?? "unix:unknown";
        }
        else
        {
            source = accepted.RemoteEndPoint is IPEndPoint remote
                ? (remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address).ToString()
                : "unknown";
        }

        Admission? admission = _services.Limits.TryAdmit(source, out string? cap);
        if (admission is null)
        {
            Interlocked.Increment(ref _services.Counters.ConnectionsCapped);
            _services.Log.Refused(source, cap!);
            // A reset frees the descriptor at once, with no TIME_WAIT kept for a peer that is not wanted.
            accepted.LingerState = new LingerOption(true, 0);
            accepted.Dispose();
            return;
        }

        if (_unixPath is null)
        {
            accepted.NoDelay = true;
        }
        else
        {
            accepted.SendBufferSize = LocalEndpoint.SendBufferBytes;
        }

        uint key = _keys.Next();
        var connection = new ZmtpConnection(accepted, key, admission, _services)
        {
            IsLocal = _unixPath is not null,
            Local = local,
        };
        _connections[key] = connection;
        connection.Start();
        _ = connection.Completion.ContinueWith(_ => _connections.TryRemove(key, out ZmtpConnection? _), TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accepting a connection failed ({Error}); the broker goes on")]
    private partial void LogAcceptFailed(SocketError error);
}
