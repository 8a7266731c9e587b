using System.Net;
using System.Net.Sockets;

namespace Mq.TestSupport;

/// <summary>
/// A fake broker on a free loopback port, as the downgrade attack of issue #11 used it: it answers every connection
/// with a legacy ZMTP greeting (2.0, or 1.0), sends an Mq CONNECTED in plaintext, and answers whatever the peer sends
/// with a plaintext CHALLENGE, hoping for a HELLO or an AUTH it could relay to the real broker. It records every byte
/// the peers send it: what such a fake would learn.
/// </summary>
public sealed class LegacyFakeBroker : IAsyncDisposable
{
    // CONNECTED [1, [1], "mq-broker"]: byte for byte what a real broker of that name sends.
    private static readonly byte[] Connected = [0x93, 0x01, 0x91, 0x01, 0xa9, .. "mq-broker"u8];
    private static readonly byte[] Challenge = [0x92, 0x09, 0xc4, 0x20, .. new byte[32]];

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly MemoryStream _recorded = new();
    private readonly List<Task> _connections = [];
    private readonly bool _zmtp1;
    private readonly Task _accepting;

    public LegacyFakeBroker(bool zmtp1)
    {
        _zmtp1 = zmtp1;
        _listener.Start();
        Endpoint = $"tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    public string Endpoint { get; }

    /// <summary>Connections accepted so far (a refused peer reconnects).</summary>
    public int Accepted { get; private set; }

    /// <summary>Every byte peers sent, across all connections.</summary>
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

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll([_accepting, .. connections]).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Accepted++;
                lock (_connections)
                {
                    _connections.Add(ServeAsync(client));
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                // ZMTP 2.0: signature, revision 1, socket type ROUTER, an empty identity frame. ZMTP 1.0: just the
                // empty identity frame (a length byte of 1 and flags 0), which is all a 1.0 peer says first.
                byte[] greeting = _zmtp1 ? [0x01, 0x00] : [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01, 0x06, 0x00, 0x00];
                await stream.WriteAsync(greeting, _stop.Token);
                await stream.WriteAsync(Frame(Connected), _stop.Token);
                byte[] buffer = new byte[4096];
                int read;
                for (int answers = 0; (read = await stream.ReadAsync(buffer, _stop.Token)) > 0;)
                {
                    lock (_recorded)
                    {
                        _recorded.Write(buffer, 0, read);
                    }

                    // Past the peer's greeting and identity frame, answer once with what the old attack relayed.
                    if (_recorded.Length > 16 && answers++ == 0)
                    {
                        await stream.WriteAsync(Frame(Challenge), _stop.Token);
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // The peer dropped the connection, or the fake stopped.
            }
        }
    }

    /// <summary>One short frame: ZMTP 2.0 is flags then a length byte; ZMTP 1.0 is a length byte (counting the flags) then flags.</summary>
    private byte[] Frame(byte[] body) => _zmtp1 ? [(byte)(body.Length + 1), 0x00, .. body] : [0x00, (byte)body.Length, .. body];
}
