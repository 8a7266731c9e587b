using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Mq.Client;

namespace Mq.Diagnostics;

/// <summary>
/// The client's metrics, in one meter for every client of the process. Names follow OpenTelemetry's messaging
/// conventions where they have one; no instrument is tagged with a subject or service, so cardinality stays bounded.
/// Each recording checks <see cref="Instrument.Enabled"/> first: without a listener it costs a field read.
/// </summary>
internal static class MqMetrics
{
    private static readonly Meter Meter = new(MqDiagnostics.MeterName, typeof(MqMetrics).Assembly.GetName().Version?.ToString());

    // Live clients for the observable instruments; weak, so a client nobody disposed is still collected.
    private static readonly ConditionalWeakTable<MqClient, object?> Clients = new();

    private static readonly Counter<long> Sent = Meter.CreateCounter<long>(
        "messaging.client.sent.messages", "{message}", "Messages published: PUB commands queued for the broker.");

    private static readonly Counter<long> Consumed = Meter.CreateCounter<long>(
        "messaging.client.consumed.messages", "{message}", "Messages the broker delivered into a subscription's buffer.");

    private static readonly Counter<long> Dropped = Meter.CreateCounter<long>(
        "mq.client.dropped.messages", "{message}", "Messages a subscription lost: its buffer was full (origin client) or the broker dropped them (origin broker).");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "messaging.client.operation.duration", "s", "How long requests took, from the call until the reply or the failure; error.type names a failure.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    private static readonly Counter<long> Reconnects = Meter.CreateCounter<long>(
        "mq.client.reconnects", "{reconnect}", "Sessions a client opened again after losing one.");

    private static readonly KeyValuePair<string, object?> SystemTag = new(MessagingTags.System, MessagingTags.SystemName);

    static MqMetrics()
    {
        Meter.CreateObservableUpDownCounter(
            "mq.client.connections", ObserveConnections, "{connection}", "Clients of this process by connection state (connecting, connected, disconnected).");
        Meter.CreateObservableUpDownCounter(
            "mq.client.outbox.size", ObserveOutbox, "By", "Bytes of commands waiting in the clients' outboxes to be sent to the broker.");
    }

    /// <summary>Whether anyone collects request durations (so a request needs timing at all).</summary>
    public static bool TimesRequests => Duration.Enabled;

    public static void Track(MqClient client) => Clients.AddOrUpdate(client, null);

    public static void Untrack(MqClient client) => Clients.Remove(client);

    public static void Published()
    {
        if (Sent.Enabled)
        {
            Sent.Add(1, SystemTag, new(MessagingTags.OperationName, MessagingTags.Publish));
        }
    }

    /// <summary>Socket thread: a message reached a subscription's buffer.</summary>
    public static void Received()
    {
        if (Consumed.Enabled)
        {
            Consumed.Add(1, SystemTag, new(MessagingTags.OperationName, MessagingTags.Receive));
        }
    }

    public static void Lost(long count, bool local)
    {
        if (Dropped.Enabled)
        {
            Dropped.Add(count, SystemTag, new(MessagingTags.DropOrigin, local ? "client" : "broker"));
        }
    }

    /// <summary>A request ended after <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp): with a reply, or with <paramref name="error"/>.</summary>
    public static void RequestEnded(long started, Exception? error)
    {
        if (!Duration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            SystemTag,
            { MessagingTags.OperationType, MessagingTags.Send },
            { MessagingTags.OperationName, MessagingTags.Send },
        };
        if (error is not null)
        {
            tags.Add(MessagingTags.ErrorType, error.GetType().FullName);
        }

        Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    public static void Reconnected()
    {
        if (Reconnects.Enabled)
        {
            Reconnects.Add(1, SystemTag);
        }
    }

    private static IEnumerable<Measurement<int>> ObserveConnections()
    {
        int connecting = 0, connected = 0, disconnected = 0;
        foreach (KeyValuePair<MqClient, object?> entry in Clients)
        {
            switch (entry.Key.State)
            {
                case ConnectionState.Connecting: connecting++; break;
                case ConnectionState.Connected: connected++; break;
                case ConnectionState.Disconnected: disconnected++; break;
            }
        }

        // Every state every time, so a series drops to 0 instead of vanishing.
        return
        [
            new(connecting, SystemTag, new(MessagingTags.ConnectionState, "connecting")),
            new(connected, SystemTag, new(MessagingTags.ConnectionState, "connected")),
            new(disconnected, SystemTag, new(MessagingTags.ConnectionState, "disconnected")),
        ];
    }

    private static Measurement<long> ObserveOutbox()
    {
        long bytes = 0;
        foreach (KeyValuePair<MqClient, object?> entry in Clients)
        {
            bytes += entry.Key.OutboxBytes;
        }

        return new(bytes, SystemTag);
    }
}
