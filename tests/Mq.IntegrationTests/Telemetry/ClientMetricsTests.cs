using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using Mq.Testing;

namespace Mq.IntegrationTests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class ClientMetricsTests : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Published_and_received_messages_are_counted()
    {
        using var metrics = new MetricRecorder();
        await using MqClient publisher = await _broker.ConnectAsync("metrics-publisher");
        await using MqClient subscriber = await _broker.ConnectAsync("metrics-subscriber");
        await using MqSubscription subscription = await subscriber.SubscribeAsync("metrics.counted");

        for (int i = 0; i < 3; i++)
        {
            await publisher.PublishAsync("metrics.counted", i);
        }

        await subscription.TakeAsync(3);
        Assert.Equal(3, metrics.Sum("messaging.client.sent.messages", "messaging.operation.name", "publish"));
        Assert.Equal(3, metrics.Sum("messaging.client.consumed.messages", "messaging.operation.name", "receive"));
        Assert.All(metrics.Of("messaging.client.sent.messages"), m => Assert.Equal("mq", m.Tags["messaging.system"]));
        Assert.DoesNotContain(metrics.Of("messaging.client.sent.messages"), m => m.Tags.ContainsKey("messaging.destination.name"));
    }

    [Fact]
    public async Task Request_durations_are_recorded_with_their_outcome()
    {
        using var metrics = new MetricRecorder();
        await using MqClient server = await _broker.ConnectAsync("metrics-server");
        await using MqClient requester = await _broker.ConnectAsync("metrics-requester");
        await using MqService service = await server.ServeAsync<int, int>("metrics.double", (n, _) => ValueTask.FromResult(2 * n));

        Assert.Equal(42, await requester.RequestAsync<int, int>("metrics.double", 21));
        await Assert.ThrowsAsync<NoRespondersException>(async () => await requester.RequestAsync<int, int>("metrics.nobody", 1));

        IReadOnlyList<RecordedMeasurement> durations = metrics.Of("messaging.client.operation.duration");
        Assert.Equal(2, durations.Count);
        Assert.All(durations, d => Assert.True(d.Value > 0 && d.Value < 60, $"{d.Value} s"));
        Assert.All(durations, d => Assert.Equal("send", d.Tags["messaging.operation.name"]));
        Assert.Single(durations, d => !d.Tags.ContainsKey("error.type"));
        Assert.Single(durations, d => Equals(d.Tags.GetValueOrDefault("error.type"), typeof(NoRespondersException).FullName));
    }

    [Fact]
    public async Task Messages_a_full_subscription_buffer_loses_are_counted_as_dropped_by_the_client()
    {
        using var metrics = new MetricRecorder();
        await using MqClient publisher = await _broker.ConnectAsync("metrics-flood");
        await using MqClient subscriber = await MqClient.ConnectAsync(_broker.ClientOptions("metrics-slow") with { SubscriptionCapacity = 2 });
        await using MqSubscription subscription = await subscriber.SubscribeAsync("metrics.flood");
        var lostAll = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscription.MessagesDropped += (_, e) =>
        {
            if (e.Total == 8)
            {
                lostAll.TrySetResult();
            }
        };

        // Nothing reads the subscription: 2 fit its buffer, the other 8 are lost.
        for (int i = 0; i < 10; i++)
        {
            await publisher.PublishAsync("metrics.flood", i);
        }

        await lostAll.Task.WaitAsync(Waits.Default);
        Assert.Equal(8, metrics.Sum("mq.client.dropped.messages", "mq.drop.origin", "client"));
        Assert.Equal(0, metrics.Sum("mq.client.dropped.messages", "mq.drop.origin", "broker"));
    }

    [Fact]
    public async Task Reconnects_and_connection_states_are_reported()
    {
        using var metrics = new MetricRecorder();
        await using MqClient client = await _broker.ConnectAsync("metrics-severed");
        double connectedBefore = Connected(metrics);
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionStateChanged += (_, e) =>
        {
            if (e.State == ConnectionState.Connected)
            {
                reconnected.TrySetResult();
            }
        };

        Assert.Equal(1, await _broker.SeverAsync("metrics-severed"));
        await reconnected.Task.WaitAsync(Waits.Default);

        Assert.Equal(1, metrics.Sum("mq.client.reconnects"));
        Assert.True(connectedBefore >= 1, $"{connectedBefore} connected");
        Assert.Single(metrics.Observe("mq.client.outbox.size"));

        await client.DisposeAsync();
        Assert.Equal(connectedBefore - 1, Connected(metrics));
    }

    private static double Connected(MetricRecorder metrics) =>
        metrics.Observe("mq.client.connections").Where(m => Equals(m.Tags["mq.connection.state"], "connected")).Sum(m => m.Value);
}
