using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mq.Testing;

/// <summary>
/// A TCP proxy on a free loopback port that forwards every connection to a target endpoint (a broker): point a peer
/// at <see cref="Endpoint"/> to put a network between them that the test controls. It records every byte both ways
/// (what someone watching the network would see), and injects faults: a delay on every chunk, dropping traffic,
/// severing every connection, flipping a byte as someone altering traffic would.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pumps = [];
    private readonly List<TcpClient> _connections = [];
    private readonly MemoryStream _recorded = new();
    private readonly Task _accepting;
    private int _flipAtLeast; // 0: relay unchanged; else flip the last byte of the next chunk to the target this long or longer
    private long _delayTicks;
    private int _dropping;

    /// <param name="target">A <c>tcp://127.0.0.1:port</c> endpoint.</param>
    public TcpProxy(string target)
    {
        _targetPort = int.Parse(target[(target.LastIndexOf(':') + 1)..]);
        _listener.Start();
        Endpoint = $"tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    public string Endpoint { get; }

    /// <summary>Every byte relayed so far, both ways.</summary>
    public byte[] Recorded
    {
        get
        {
            lock (_recorded)
            {
                return _recorded.ToArray();
            }
        }
    }

    /// <summary>
    /// Flips the last byte of the next chunk of at least <paramref name="minimumLength"/> bytes sent towards the target.
    /// A chunk ends where the sender's write ended, so that byte lies inside a frame's body (its tag, encrypted).
    /// </summary>
    public void FlipNextChunk(int minimumLength) => Volatile.Write(ref _flipAtLeast, minimumLength);

    /// <summary>Holds every chunk this long before passing it on, both ways (zero: none). Later chunks queue behind it, as on a slow link.</summary>
    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    /// <summary>
    /// While true, bytes are read and thrown away, both ways, and the connections stay open: to each side the other
    /// falls silent (heartbeats stop too). A ZMTP stream that lost bytes is broken, so after dropping, expect the
    /// peer to be disconnected and to connect anew.
    /// </summary>
    public bool Dropping
    {
        get => Volatile.Read(ref _dropping) == 1;
        set => Volatile.Write(ref _dropping, value ? 1 : 0);
    }

    /// <summary>Closes every connection relayed so far (both of its ends), as a broken network would; new connections are still relayed.</summary>
    public void SeverAll()
    {
        lock (_connections)
        {
            foreach (TcpClient connection in _connections)
            {
                connection.Dispose();
            }

            _connections.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_connections)
        {
            foreach (TcpClient connection in _connections)
            {
                connection.Dispose();
            }
        }

        await Task.WhenAll([_accepting, .. Snapshot()]).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private Task[] Snapshot()
    {
        lock (_connections)
        {
            return [.. _pumps];
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                var outbound = new TcpClient();
                await outbound.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                lock (_connections)
                {
                    _connections.Add(inbound);
                    _connections.Add(outbound);
                    // Both streams first: a pump can run to its end before the first await (a peer that connected
                    // and left at once, as a client's refusal probe does) and close the other side.
                    NetworkStream fromPeer = inbound.GetStream();
                    NetworkStream toTarget = outbound.GetStream();
                    _pumps.Add(PumpAsync(fromPeer, toTarget, towardsTarget: true));
                    _pumps.Add(PumpAsync(toTarget, fromPeer, towardsTarget: false));
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool towardsTarget)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                lock (_recorded)
                {
                    _recorded.Write(buffer, 0, read);
                }

                if (Dropping)
                {
                    continue;
                }

                await HoldAsync(Delay);

                int flipAtLeast = Volatile.Read(ref _flipAtLeast);
                if (towardsTarget && flipAtLeast > 0 && read >= flipAtLeast && Interlocked.CompareExchange(ref _flipAtLeast, 0, flipAtLeast) == flipAtLeast)
                {
                    buffer[read - 1] ^= 0x01;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }

            to.Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // One side closed or the relay stopped.
        }
    }

    /// <summary>Waits at least <paramref name="delay"/> by the stopwatch: timers count whole milliseconds and can fire early, and the kit promises the whole delay.</summary>
    private async ValueTask HoldAsync(TimeSpan delay)
    {
        long start = Stopwatch.GetTimestamp();
        for (TimeSpan left = delay; left > TimeSpan.Zero; left = delay - Stopwatch.GetElapsedTime(start))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(left.TotalMilliseconds)), _stop.Token);
        }
    }
}
