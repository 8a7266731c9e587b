using System.Diagnostics;
using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using Mq.Testing;
using Mq.TestSupport;
using Xunit.Abstractions;

namespace Mq.IntegrationTests.Processes;

/// <summary>Processes dying for real (SIGKILL), and what the survivors see.</summary>
public sealed class PeerFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_a_server_process_that_holds_a_request_fails_it_with_responder_lost_within_the_heartbeat_bound()
    {
        await using var broker = new InProcessBroker();
        MqClient requester = await broker.ConnectAsync("requester");
        await using PeerProcess server = PeerProcess.Start("Mq.Subscriber", ["serve", "--service", "slow.work", "--delay", "600000", "--broker", broker.Endpoint, "--name", "doomed"]);
        await server.WaitForLineAsync("serving slow.work", Waits.Default, onStandardError: true);

        Task<MqReply> request = requester.RequestAsync("slow.work", new byte[] { 1 }, new RequestOptions { Timeout = TimeSpan.FromMinutes(5) }).AsTask();
        await Waits.UntilAsync(async () => (await broker.Server.GetStatsAsync()).PendingRequests == 1, "the server holding the request");
        var clock = Stopwatch.StartNew();
        server.Kill();

        ResponderLostException error = await Assert.ThrowsAsync<ResponderLostException>(() => request.WaitAsync(TimeSpan.FromSeconds(5)));
        output.WriteLine($"responder lost reported {clock.ElapsedMilliseconds} ms after SIGKILL");
        Assert.Contains("doomed", error.Message);
    }

    /// <remarks>With a broker key, each reconnect opens a new secure channel (the restarted broker's CONNECTED arrives in
    /// plaintext on a connection whose channel was up) and frames of the dead connection are not mistaken for an attack.</remarks>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_the_broker_is_killed_mid_traffic_and_restarted_traffic_resumes_by_itself(bool keyed)
    {
        var key = new NetMQ.NetMQCertificate();
        string[] keyArgument = keyed ? [$"--Broker:Curve:SecretKey={key.SecretKeyZ85}"] : [];
        (PeerProcess first, string endpoint) = await BrokerProcess.StartAsync("tcp://127.0.0.1:0", keyArgument);
        MqClientOptions Options(string name) => MqClientOptions.Default with { Endpoint = endpoint, Name = name, BrokerPublicKey = keyed ? key.PublicKeyZ85 : null };
        await using MqClient subscriber = await MqClient.ConnectAsync(Options("subscriber"));
        await using MqClient publisher = await MqClient.ConnectAsync(Options("publisher"));
        await using MqSubscription subscription = await subscriber.SubscribeAsync("ticks");
        await using MqService service = await subscriber.ServeAsync("echo", (r, _) => ValueTask.FromResult(r.Data));
        using var stop = new CancellationTokenSource();
        Task publishing = PublishUntilStoppedAsync(publisher, stop.Token);
        await subscription.TakeAsync(10);

        var clock = Stopwatch.StartNew();
        await using (first)
        {
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        (PeerProcess second, _) = await BrokerProcess.StartAsync(endpoint, keyArgument);
        await using (second)
        {
            TimeSpan restarted = clock.Elapsed;
            await DrainAsync(subscription);
            await subscription.TakeAsync(1, TimeSpan.FromSeconds(30));
            TimeSpan flowing = clock.Elapsed;
            await Waits.UntilAsync(async () => await EchoesAsync(publisher), "requests being served again", TimeSpan.FromSeconds(30));
            output.WriteLine($"broker back {restarted.TotalMilliseconds:0} ms after SIGKILL; messages flowing again after {(flowing - restarted).TotalMilliseconds:0} ms more; requests after {(clock.Elapsed - restarted).TotalMilliseconds:0} ms");

            await stop.CancelAsync();
            await publishing;
        }
    }

    [Fact]
    public async Task A_request_to_a_frozen_broker_times_out_on_time()
    {
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync();
        await using (broker)
        {
            await using MqClient requester = await MqClient.ConnectAsync(endpoint, "requester");
            await using MqService service = await requester.ServeAsync("echo", (r, _) => ValueTask.FromResult(r.Data));

            // SIGSTOP: the broker neither answers nor closes the connection, so only the client can keep the deadline.
            broker.Signal(19);
            var clock = Stopwatch.StartNew();
            await Assert.ThrowsAsync<MqTimeoutException>(async () =>
                await requester.RequestAsync("echo", new byte[] { 1 }, new RequestOptions { Timeout = TimeSpan.FromMilliseconds(500) }));
            output.WriteLine($"timed out after {clock.ElapsedMilliseconds} ms");
            Assert.InRange(clock.ElapsedMilliseconds, 450, 2_500);
            broker.Signal(18);
        }
    }

    [Fact]
    public async Task Publishes_sent_into_a_dead_connection_reach_the_restarted_broker()
    {
        (PeerProcess first, string endpoint) = await BrokerProcess.StartAsync();
        await using MqClient publisher = await MqClient.ConnectAsync(endpoint, "publisher");
        await publisher.PublishAsync("before", 0);
        await publisher.FlushAsync();

        await using (first)
        {
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        // The publisher has not noticed yet: these go into a connection whose broker is dead.
        const int count = 100;
        for (int i = 0; i < count; i++)
        {
            await publisher.PublishAsync("during.outage", i);
        }

        await using var second = new InProcessBroker(o =>
        {
            o.Endpoint = endpoint;
            return o;
        });
        await Waits.UntilAsync(async () => (await second.Server.GetStatsAsync()).MessagesPublished >= count, "the outage's publishes reaching the new broker", TimeSpan.FromSeconds(20));
        Assert.Equal(count, (await second.Server.GetStatsAsync()).MessagesPublished);
    }

    [Fact]
    public async Task A_request_marked_safe_to_retry_rides_out_a_broker_restart()
    {
        (PeerProcess first, string endpoint) = await BrokerProcess.StartAsync();
        await using MqClient server = await MqClient.ConnectAsync(endpoint, "server");
        await using MqClient requester = await MqClient.ConnectAsync(endpoint, "requester");
        int calls = 0;
        var firstCallHeld = new TaskCompletionSource();
        await using MqService service = await server.ServeAsync("idempotent", async (request, ct) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                firstCallHeld.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }

            return request.Data;
        });

        Task<MqReply> request = requester.RequestAsync("idempotent", new byte[] { 42 }, new RequestOptions { Timeout = TimeSpan.FromSeconds(60), RetryOnDisconnect = true }).AsTask();
        await firstCallHeld.Task.WaitAsync(Waits.Default);
        await using (first)
        {
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        (PeerProcess second, _) = await BrokerProcess.StartAsync(endpoint);
        await using (second)
        {
            MqReply reply = await request.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal([42], reply.Data.ToArray());
            Assert.Equal(2, calls);
        }
    }

    private static async Task PublishUntilStoppedAsync(MqClient publisher, CancellationToken cancellationToken)
    {
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        for (long i = 0; !cancellationToken.IsCancellationRequested && i < 100_000; i++)
        {
            try
            {
                await publisher.PublishAsync("ticks", i, cancellationToken: cancellationToken);
                await ticks.WaitForNextTickAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Empties what arrived before the crash, so the next message read was routed by the new broker.</summary>
    private static Task DrainAsync(MqSubscription subscription)
    {
        while (subscription.Reader.TryRead(out _))
        {
        }

        return Task.CompletedTask;
    }

    private static async Task<bool> EchoesAsync(MqClient client)
    {
        try
        {
            return (await client.RequestAsync("echo", new byte[] { 7 })).Data.Span[0] == 7;
        }
        catch (MqException)
        {
            return false;
        }
    }
}
