using System.Diagnostics.Metrics;
using Mq.Broker.Server;

namespace Mq.UnitTests.Monitoring;

public sealed class BrokerMetricsTests
{
    [Fact]
    public void Without_a_listener_no_snapshot_is_due()
    {
        using var metrics = new BrokerMetrics();

        Assert.False(metrics.Due(now: 10_000));
    }

    [Fact]
    public void A_listener_sees_the_published_snapshot_and_the_next_is_due_a_second_later()
    {
        using var metrics = new BrokerMetrics();
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BrokerServer.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => seen[instrument.Name] = value);
        listener.Start();

        Assert.True(metrics.Due(now: 5_000));
        metrics.Publish(now: 5_000, new BrokerStats { Peers = 3, MessagesPublished = 42, DroppedMessages = 7 }, queuedBytes: 1024);
        listener.RecordObservableInstruments();

        Assert.Equal(3, seen["mq.broker.peers"]);
        Assert.Equal(42, seen["mq.broker.messages.published"]);
        Assert.Equal(7, seen["mq.broker.messages.dropped"]);
        Assert.Equal(1024, seen["mq.broker.queued"]);
        Assert.False(metrics.Due(now: 5_000 + BrokerMetrics.PublishIntervalMs - 1));
        Assert.True(metrics.Due(now: 5_000 + BrokerMetrics.PublishIntervalMs));
    }
}
