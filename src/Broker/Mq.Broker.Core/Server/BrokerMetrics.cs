using System.Diagnostics.Metrics;
using Mq.Broker.Routing;

namespace Mq.Broker.Server;

/// <summary>
/// The broker's instruments, in the meter <see cref="BrokerServer.MeterName"/>: observable counters and gauges
/// over the counters the broker keeps anyway, so the routing path does no extra work for them. The broker thread
/// publishes a snapshot at most once per <see cref="PublishIntervalMs"/>, and only while something listens; the
/// instruments read that snapshot from the exporter's thread, never the engine's state.
/// </summary>
internal sealed class BrokerMetrics : IDisposable
{
    /// <summary>How old the values may be: a scrape sees the snapshot of the last publication.</summary>
    public const long PublishIntervalMs = 1000;

    // Indexed by RequestOutcome; the label's only values, so its cardinality is fixed.
    private static readonly string[] OutcomeNames = ["replied", "error", "timeout", "lost", "cancelled"];

    private readonly Meter _meter;
    private readonly List<Instrument> _instruments = [];
    private readonly Histogram<double> _requestDuration;
    private readonly bool _serviceLabels;
    private Snapshot _snapshot = new(new BrokerStats(), 0);
    private long _nextPublish;

    /// <param name="serviceLabels">Whether request durations carry a <c>service</c> label (Broker:Monitoring:ServiceLabels).</param>
    public BrokerMetrics(bool serviceLabels = false)
    {
        _serviceLabels = serviceLabels;
        _meter = new Meter(BrokerServer.MeterName, typeof(BrokerMetrics).Assembly.GetName().Version?.ToString());
        _requestDuration = _meter.CreateHistogram(
            "mq.broker.request.duration",
            "s",
            "Time from the broker accepting a request to the end of its reply, by outcome (and service, when configured)",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ServiceStats.BucketBoundsUs.Select(us => us / 1e6).ToArray() });
        Counter("mq.broker.frames.received", "{frame}", "Frames received from peers", s => s.FramesReceived);
        Counter("mq.broker.messages.published", "{message}", "Messages published by peers (PUB)", s => s.MessagesPublished);
        Counter("mq.broker.messages.delivered", "{message}", "Deliveries (MSG) handed to subscribers' connections", s => s.MessagesDelivered);
        Counter("mq.broker.messages.dropped", "{message}", "Deliveries dropped because a subscriber's queue was full (each reported with DROPPED)", s => s.DroppedMessages);
        Counter("mq.broker.frames.dropped", "{frame}", "Frames not sent because a peer's outbound queue was full", s => s.DroppedFrames);
        Counter("mq.broker.requests.routed", "{request}", "Requests routed to a server", s => s.RequestsRouted);
        Counter("mq.broker.replies.routed", "{reply}", "Replies routed back to a requester", s => s.RepliesRouted);
        Counter("mq.broker.commands.refused", "{command}", "Commands refused for breaking the protocol or a limit", s => s.Refused);
        Counter("mq.broker.peers.overflowed", "{peer}", "Peers disconnected because their backlog overflowed", s => s.PeersOverflowed);
        Counter("mq.broker.peers.timed_out", "{peer}", "Peers forgotten after PeerTimeout of silence", s => s.PeersTimedOut);
        Counter("mq.broker.flow.waits", "{message}", "Deliveries that waited in the broker for a flow-controlled subscriber's ACK", s => s.FlowWaits);
        Counter("mq.broker.publisher.stalls", "{stall}", "Times a publisher's credit was withheld for a subscriber that fell behind", s => s.PublisherStalls);
        Counter("mq.broker.slow_consumers", "{subscription}", "Flow-controlled subscriptions cut off as slow consumers", s => s.SlowConsumers);
        Counter("mq.broker.channel.failures", "{failure}", "Secure-channel handshakes that failed and frames that did not decrypt", s => s.ChannelFailures);
        Counter("mq.broker.connections.accepted", "{connection}", "TCP connections accepted", s => s.ConnectionsAccepted);
        Counter("mq.broker.connections.capped", "{connection}", "Connections closed at accept because a connection cap was reached", s => s.ConnectionsCapped);
        Counter("mq.broker.handshakes.refused", "{connection}", "Connections closed in the ZMTP handshake (legacy or foreign greeting, wrong mechanism or socket type)", s => s.HandshakesRefused);
        Counter("mq.broker.handshakes.timed_out", "{connection}", "Connections closed for not becoming Ready within HandshakeTimeout", s => s.HandshakesTimedOut);
        Counter("mq.broker.framing.errors", "{connection}", "Connections closed for a frame the transport cannot take", s => s.FramingErrors);
        Gauge("mq.broker.peers", "{peer}", "Peers with a session", s => s.Peers);
        Gauge("mq.broker.subscriptions", "{subscription}", "Subscriptions held", s => s.Subscriptions);
        Gauge("mq.broker.subscriptions.cost", "By", "What all subscriptions cost, as the subscription budgets count it", s => s.SubscriptionBytes);
        Gauge("mq.broker.services", "{service}", "Services with at least one server", s => s.Services);
        Gauge("mq.broker.requests.pending", "{request}", "Requests routed and not yet answered", s => s.PendingRequests);
        Gauge("mq.broker.connections", "{connection}", "Open TCP connections", s => s.Connections);
        Gauge("mq.broker.handshakes.pending", "{connection}", "Connections accepted and not yet Ready", s => s.PendingHandshakes);
        StreamGauge("mq.broker.stream.messages", "{message}", "Messages a stream holds", s => s.Messages);
        StreamGauge("mq.broker.stream.size", "By", "What a stream's messages take in its store, 32 bytes of framing each included", s => s.Bytes);
        StreamGauge("mq.broker.stream.first_seq", "{sequence}", "The first sequence a stream holds", s => (long)s.FirstSequence);
        StreamGauge("mq.broker.stream.last_seq", "{sequence}", "The last sequence a stream's store confirmed", s => (long)s.LastSequence);
        StreamGauge("mq.broker.stream.consumers", "{subscription}", "Subscriptions reading a stream, ephemeral and durable", s => s.Consumers);
        _instruments.Add(_meter.CreateObservableCounter(
            "mq.broker.stream.stored",
            () => Streams(s => s.Stored),
            "{message}",
            "Messages a stream stored since the broker started"));
        ConsumerGauge("mq.broker.stream.consumer.pending", "{message}", "Stream sequences after a durable consumer's position, not yet sent to it", d => d.Pending);
        ConsumerGauge("mq.broker.stream.consumer.unacknowledged", "{message}", "Deliveries of a durable consumer sent and not acknowledged", d => d.Unacknowledged);
        ConsumerGauge("mq.broker.stream.consumer.ack_floor", "{sequence}", "The acknowledged floor of a durable consumer, as its store holds it", d => (long)d.AckFloor);
        ConsumerGauge("mq.broker.stream.consumer.members", "{subscription}", "Subscriptions reading a durable consumer (more than one when shared)", d => d.Members);
        _instruments.Add(_meter.CreateObservableUpDownCounter(
            "mq.broker.queued", () => Volatile.Read(ref _snapshot).QueuedBytes, "By", "Bytes the broker holds for peers and has not written to their sockets: send queues, backlogs and flow-controlled waits"));
    }

    /// <summary>
    /// On the broker thread, at each tick: true when the last snapshot is <see cref="PublishIntervalMs"/> old and a
    /// listener has enabled an instrument. Otherwise the tick costs a comparison.
    /// </summary>
    public bool Due(long now) => now >= _nextPublish && Listened();

    /// <summary>On the broker thread: the values the instruments report until the next publication.</summary>
    public void Publish(long now, BrokerStats stats, long queuedBytes)
    {
        _nextPublish = now + PublishIntervalMs;
        Volatile.Write(ref _snapshot, new Snapshot(stats, queuedBytes));
    }

    /// <summary>On the broker thread, as a request ends; costs a flag test while nothing listens.</summary>
    public void RequestEnded(string service, RequestOutcome outcome, double seconds)
    {
        if (!_requestDuration.Enabled)
        {
            return;
        }

        var outcomeTag = new KeyValuePair<string, object?>("outcome", OutcomeNames[(int)outcome]);
        if (_serviceLabels)
        {
            _requestDuration.Record(seconds, outcomeTag, new KeyValuePair<string, object?>("service", service));
        }
        else
        {
            _requestDuration.Record(seconds, outcomeTag);
        }
    }

    public void Dispose() => _meter.Dispose();

    private bool Listened()
    {
        foreach (Instrument instrument in _instruments)
        {
            if (instrument.Enabled)
            {
                return true;
            }
        }

        return false;
    }

    private void Counter(string name, string unit, string description, Func<BrokerStats, long> read) =>
        _instruments.Add(_meter.CreateObservableCounter(name, () => read(Volatile.Read(ref _snapshot).Stats), unit, description));

    private void Gauge(string name, string unit, string description, Func<BrokerStats, long> read) =>
        _instruments.Add(_meter.CreateObservableUpDownCounter(name, () => read(Volatile.Read(ref _snapshot).Stats), unit, description));

    /// <summary>A gauge per stream, labelled <c>stream</c>: one series per stream the broker has.</summary>
    private void StreamGauge(string name, string unit, string description, Func<StreamStats, long> read) =>
        _instruments.Add(_meter.CreateObservableUpDownCounter(name, () => Streams(read), unit, description));

    /// <summary>A gauge per durable consumer, labelled <c>stream</c> and <c>consumer</c>: consumers are named by their applications, so few.</summary>
    private void ConsumerGauge(string name, string unit, string description, Func<DurableConsumerStats, long> read) =>
        _instruments.Add(_meter.CreateObservableUpDownCounter(
            name,
            () => Volatile.Read(ref _snapshot).Stats.Streams.SelectMany(s => s.DurableConsumers.Select(d =>
                new Measurement<long>(read(d), new KeyValuePair<string, object?>("stream", s.Name), new KeyValuePair<string, object?>("consumer", d.Name)))),
            unit,
            description));

    private IEnumerable<Measurement<long>> Streams(Func<StreamStats, long> read) =>
        Volatile.Read(ref _snapshot).Stats.Streams.Select(s => new Measurement<long>(read(s), new KeyValuePair<string, object?>("stream", s.Name)));

    private sealed record Snapshot(BrokerStats Stats, long QueuedBytes);
}
