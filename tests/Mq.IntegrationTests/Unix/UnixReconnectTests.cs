using Microsoft.Extensions.Logging;
using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.IntegrationTests.Unix;

/// <summary>
/// The stream transport's reconnects over a Unix socket: a socket file that appears after the client started, a
/// broker process killed and started again (a new session, unconfirmed publishes replayed), a broker that goes
/// silent while its socket lives on, and the connect timeout's error saying what was tried.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UnixReconnectTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly SocketFolder _folder = new();

    private string SocketPath => _folder.PathOf();

    private string UnixEndpoint => _folder.Endpoint();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Without_a_socket_file_the_connect_timeout_says_the_file_is_missing_and_how_often_it_was_tried()
    {
        var options = MqClientOptions.Default with { Endpoint = UnixEndpoint, Name = "early", ConnectTimeout = TimeSpan.FromMilliseconds(800), ReconnectInterval = TimeSpan.FromMilliseconds(20), ReconnectIntervalMax = TimeSpan.FromMilliseconds(100) };
        NotConnectedException error = await Assert.ThrowsAsync<NotConnectedException>(async () => await MqClient.ConnectAsync(options));
        Assert.Contains($"cannot reach the Mq broker at {UnixEndpoint} within 0.8 s: no socket file at {SocketPath}", error.Message);
        Assert.Matches(@"\(tried \d+ times\)", error.Message);
    }

    [Fact]
    public async Task A_client_started_before_the_socket_file_exists_connects_once_the_broker_listens()
    {
        var logs = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var options = MqClientOptions.Default with { Endpoint = UnixEndpoint, Name = "early", ConnectTimeout = Bound, ReconnectInterval = TimeSpan.FromMilliseconds(20), ReconnectIntervalMax = TimeSpan.FromMilliseconds(200) };
        Task<MqClient> connecting = MqClient.ConnectAsync(options, factory).AsTask();

        // The client has looked for the file and found none before the broker exists.
        await Waits.UntilAsync(() => Task.FromResult(logs.Lines.Any(l => l.Message.Contains($"no socket file at {SocketPath}", StringComparison.Ordinal))), "a failed attempt");
        Assert.False(connecting.IsCompleted);

        await using InProcessBroker broker = await InProcessBroker.StartAsync(o => o.Endpoints = [UnixEndpoint]);
        await using MqClient client = await connecting.WaitAsync(Bound);
        Assert.Equal(ConnectionState.Connected, client.State);
        await using MqService echo = await client.ServeAsync("echo", (r, _) => ValueTask.FromResult(r.Data));
        MqClient asker = await broker.ConnectAsync("asker");
        Assert.Equal(new byte[] { 7 }, (await asker.RequestAsync("echo", new byte[] { 7 })).Data.ToArray());
    }

    [Fact]
    public async Task After_the_broker_process_is_killed_and_started_again_the_clients_reconnect_restore_and_publish_on_a_new_session()
    {
        (PeerProcess first, string endpoint) = await BrokerProcess.StartAsync(UnixEndpoint);
        Assert.Equal(UnixEndpoint, endpoint);
        var options = MqClientOptions.Default with { Endpoint = UnixEndpoint, ReconnectInterval = TimeSpan.FromMilliseconds(20), ReconnectIntervalMax = TimeSpan.FromMilliseconds(200) };
        await using MqClient publisher = await MqClient.ConnectAsync(options with { Name = "publisher" });
        await using MqClient subscriber = await MqClient.ConnectAsync(options with { Name = "subscriber" });
        await using MqSubscription subscription = await subscriber.SubscribeAsync("after.>");

        Task<string> lost = subscriber.NextStateAsync(ConnectionState.Disconnected);
        Task<string> publisherBack = publisher.NextStateAsync(ConnectionState.Connected);
        Task<string> subscriberBack = subscriber.NextStateAsync(ConnectionState.Connected);
        await using (first)
        {
            first.Kill();
            await first.WaitForExitAsync(Bound);
        }

        // The stream transport sees the socket close at once, without waiting for a heartbeat timeout.
        Assert.Contains("the connection to the broker was lost", await lost.WaitAsync(Bound));

        // Published while no broker runs: held, and sent on the new session (whether it beats the subscriber's
        // restored subscription there is a race, so only its completing is asserted).
        Task publishing = publisher.PublishAsync("after.restart", new byte[] { 9 }).AsTask();

        // A killed broker leaves its socket file; the new one replaces it as stale.
        (PeerProcess second, _) = await BrokerProcess.StartAsync(UnixEndpoint);
        await using (second)
        {
            await Task.WhenAll(publisherBack, subscriberBack).WaitAsync(Bound);
            await publishing.WaitAsync(Bound);
            await subscriber.FlushAsync();
            await publisher.PublishAsync("after.second", new byte[] { 10 });
            await publisher.FlushAsync();
            var subjects = new List<string>();
            while (!subjects.Contains("after.second"))
            {
                subjects.Add(Assert.Single(await subscription.TakeAsync(1, Bound)).Subject);
            }

            Assert.Subset(new HashSet<string> { "after.restart", "after.second" }, subjects.ToHashSet());
        }
    }

    [Fact]
    public async Task A_broker_that_falls_silent_on_the_socket_is_dropped_by_the_heartbeat_timeout_and_connected_anew()
    {
        await using var broker = new SilentBroker(timeoutMs: 300, unixPath: SocketPath);
        await using MqClient peer = await MqClient.ConnectAsync(MqClientOptions.Default with { Endpoint = broker.Endpoint, Name = "patient" });
        Task<string> silent = peer.NextStateAsync(ConnectionState.Disconnected);

        Assert.Contains("the broker was silent for more than 300 ms", await silent.WaitAsync(Bound));
        await broker.Reconnected.WaitAsync(Bound);
    }
}
