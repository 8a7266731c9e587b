using System.Net;
using System.Net.Sockets;

namespace Mq.IntegrationTests.Infrastructure;

/// <summary>
/// A TCP relay on a free loopback port that forwards every connection to a target endpoint and records every byte
/// in both directions: what someone watching the network would see. It can also flip a byte on the way to the
/// target, as someone altering traffic would.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pumps = [];
    private readonly List<TcpClient> _connections = [];
    private readonly MemoryStream _recorded = new();
    private readonly Task _accepting;
    private int _flipAtLeast; // 0: relay unchanged; else flip the last byte of the next chunk to the target this long or longer

    /// <param name="target">A <c>tcp://127.0.0.1:port</c> endpoint.</param>
    public TcpRelay(string target)
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
}
