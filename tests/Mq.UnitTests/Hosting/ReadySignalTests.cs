using System.Net;
using System.Net.Sockets;
using Mq.Hosting;

namespace Mq.UnitTests.Hosting;

/// <summary>The readiness signal is for whoever watches: a watcher that does not take it never holds up the app.</summary>
public sealed class ReadySignalTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_listener_that_never_accepts_with_its_queue_full_makes_the_signal_give_up_in_time()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(0);
        string address = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        var fillers = new List<TcpClient>();
        try
        {
            // Fill the accept queue until the kernel drops the next SYN (the connect then hangs in retries).
            bool full = false;
            for (int i = 0; i < 8 && !full; i++)
            {
                var filler = new TcpClient(AddressFamily.InterNetwork);
                fillers.Add(filler);
                using var attempt = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
                try
                {
                    await filler.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, attempt.Token);
                }
                catch (OperationCanceledException)
                {
                    full = true;
                }
            }

            Assert.True(full, "the accept queue never filled");
            Assert.False(await ReadySignal.SendAsync(address, TimeSpan.FromMilliseconds(300), CancellationToken.None).AsTask().WaitAsync(Bound));
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task Nobody_listening_is_no_error()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        string address = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        listener.Stop();

        Assert.False(await ReadySignal.SendAsync(address, ReadySignal.Timeout, CancellationToken.None).AsTask().WaitAsync(Bound));
    }

    [Fact]
    public async Task A_listener_gets_one_line()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        string address = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

        Assert.True(await ReadySignal.SendAsync(address, ReadySignal.Timeout, CancellationToken.None).AsTask().WaitAsync(Bound));
        using TcpClient accepted = await listener.AcceptTcpClientAsync().WaitAsync(Bound);
        using var reader = new StreamReader(accepted.GetStream());
        Assert.Equal("ready", await reader.ReadLineAsync().WaitAsync(Bound));
    }
}
