using System.Net;
using System.Net.Sockets;

namespace Mq.Testing;

/// <summary>
/// The kit's end of the readiness signal: a loopback TCP port, named to the peer in <see cref="Variable"/>
/// (<c>127.0.0.1:port</c>). The peer is ready when it connects and writes a line (docs/testing.md); any language
/// can, and nothing polls.
/// </summary>
internal sealed class ReadinessListener : IDisposable
{
    /// <summary>The variable the kit sets for every peer it starts; Mq.Hosting's ReadySignal reads the same name.</summary>
    public const string Variable = "MQ_READY_ADDRESS";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public ReadinessListener()
    {
        // A full backlog: the variable reaches every process the peer starts (a script's several apps), and a
        // connect that finds the queue full hangs in SYN retries instead of failing. The first line counts.
        _listener.Start();
        Address = $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
    }

    public string Address { get; }

    /// <summary>Ends when a peer has connected and sent a full line (or closed after sending something).</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        using TcpClient client = await _listener.AcceptTcpClientAsync(cancellationToken);
        NetworkStream stream = client.GetStream();
        byte[] buffer = new byte[256];
        int total = 0;
        while (total < buffer.Length)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (read == 0)
            {
                if (total == 0)
                {
                    throw new InvalidOperationException("the peer connected to the readiness address and closed without writing its line");
                }

                return;
            }

            if (Array.IndexOf(buffer, (byte)'\n', total, read) >= 0)
            {
                return;
            }

            total += read;
        }
    }

    public void Dispose() => _listener.Dispose();
}
