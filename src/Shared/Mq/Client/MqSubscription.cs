using System.Threading.Channels;
using Mq.Client.Connection;
using Mq.Diagnostics;

namespace Mq.Client;

/// <summary>
/// A confirmed subscription. Enumerate it (or read <see cref="Reader"/>) to receive messages; dispose it to
/// unsubscribe. Its buffer is bounded, in messages and (without flow control) in bytes: overflow and broker-side gaps are counted in <see cref="Dropped"/> and
/// reported through <see cref="MessagesDropped"/>, never lost silently. With flow control, reading a message
/// is what lets the broker send the next ones, so nothing overflows.
/// </summary>
public sealed class MqSubscription : IAsyncEnumerable<MqMessage>, IAsyncDisposable
{
    private readonly MqClient _owner;
    private readonly Channel<MqMessage> _channel;
    private readonly ChannelReader<MqMessage> _reader;
    private readonly long _bufferBytes;
    private int _ackEvery;
    private int _epoch;
    private int _unacknowledged;
    private long _dropped;
    private long _unreported;
    private long _received;
    private long _bufferedBytes;
    private long _unreadable;
    private int _disposed;
    private long _lastStreamSequence;
    private StreamStart _start;

    internal MqSubscription(MqClient owner, ulong sid, string pattern, SubscribeOptions options, int capacity, long bufferBytes)
    {
        _owner = owner;
        Sid = sid;
        Pattern = pattern;
        QueueGroup = options.QueueGroup;
        Window = options.FlowControl ? (uint)capacity : 0;

        // A flow-controlled subscription is bounded by its window; dropping by bytes would break its promise.
        _bufferBytes = options.FlowControl ? long.MaxValue : bufferBytes;

        // Room for a whole window from the current session and one from the last, still unread after a reconnect.
        _channel = Channel.CreateBounded<MqMessage>(new BoundedChannelOptions(options.FlowControl ? 2 * capacity : capacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        // Acknowledging in quarters keeps the broker's window open without an ACK per message.
        _ackEvery = Math.Max(1, capacity / 4);
        _reader = new ConsumingReader(_channel.Reader, Consumed);
    }

    public string Pattern { get; }

    /// <summary>The stream it reads (a stream consumer), else null.</summary>
    public string? Stream { get; private init; }

    /// <summary>The stream sequence of the last message it received (a stream consumer), else 0.</summary>
    public ulong LastStreamSequence => (ulong)Interlocked.Read(ref _lastStreamSequence);

    public string? QueueGroup { get; }

    /// <summary>Messages lost on this subscription so far (local overflow plus broker-side gaps).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Messages its typed handler skipped because their payload was not the handler's type (each logged, at most one line per 10 s).</summary>
    public long Unreadable => Interlocked.Read(ref _unreadable);

    /// <summary>Messages that reached this subscription's buffer.</summary>
    public long Received => Interlocked.Read(ref _received);

    public ChannelReader<MqMessage> Reader => _reader;

    /// <summary>True if the broker holds messages back for this subscription instead of dropping them.</summary>
    public bool FlowControl => Window > 0;

    /// <summary>Raised on the thread pool, coalesced: one event may report many drops.</summary>
    public event EventHandler<MessagesDroppedEventArgs>? MessagesDropped;

    internal ulong Sid { get; }

    /// <summary>The last broker sequence number seen; reset when the subscription is restored on a new session.</summary>
    internal ulong LastSequence { get; set; }

    /// <summary>Unacknowledged deliveries the broker may send (flow control), or 0.</summary>
    internal uint Window { get; }

    internal int Epoch => Volatile.Read(ref _epoch);

    internal LogThrottle UnreadableLog { get; } = new();

    /// <summary>Counts a message whose payload the handler could not read; returns the count so far.</summary>
    internal long CountUnreadable() => Interlocked.Increment(ref _unreadable);

    internal Task? HandlerLoop { get; set; }

    /// <summary>Set on the socket thread when the broker's OK is read; only confirmed subscriptions are restored after a reconnect.</summary>
    internal bool Confirmed { get; set; }

    public IAsyncEnumerator<MqMessage> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        _reader.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    /// <summary>Unsubscribes (confirmed by the broker) and ends the enumeration once the buffer is read.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _owner.UnsubscribeAsync(this).ConfigureAwait(false);
        }

        if (HandlerLoop is not null)
        {
            await HandlerLoop.ConfigureAwait(false);
        }
    }

    /// <summary>Socket thread: checks the sequence for gaps, then buffers the message or counts it lost.</summary>
    internal void Deliver(MqMessage message)
    {
        // Sequences start at 1 on every session, so any jump, even before the first message, is a loss.
        if (message.Sequence > LastSequence + 1)
        {
            ReportDropped((long)(message.Sequence - LastSequence - 1), local: false);
        }

        LastSequence = message.Sequence;
        if (message.StreamSequence > 0)
        {
            Interlocked.Exchange(ref _lastStreamSequence, (long)message.StreamSequence);
        }

        long size = BufferedSize(message);

        // One message always fits an empty buffer, so a payload larger than the whole bound is not lost for that alone.
        long buffered = Interlocked.Read(ref _bufferedBytes);
        if ((buffered == 0 || buffered + size <= _bufferBytes) && _channel.Writer.TryWrite(message))
        {
            Interlocked.Add(ref _bufferedBytes, size);
            Interlocked.Increment(ref _received);
            MqMetrics.Received();
        }
        else
        {
            ReportDropped(1, local: true);
        }
    }

    /// <summary>
    /// Socket thread: the broker's DROPPED advisory. Moving <see cref="LastSequence"/> to the last dropped
    /// sequence reports the loss now, and keeps the next message's gap check from counting it again.
    /// </summary>
    internal void BrokerDropped(ulong lastSequence)
    {
        if (lastSequence > LastSequence)
        {
            ReportDropped((long)(lastSequence - LastSequence), local: false);
            LastSequence = lastSequence;
        }
    }

    internal void Complete() => _channel.Writer.TryComplete();

    /// <summary>A flow-controlled subscription that reads <paramref name="stream"/> from <paramref name="start"/>.</summary>
    internal static MqSubscription ForStream(MqClient owner, ulong sid, string stream, StreamStart start, ConsumeOptions? durable, int capacity, string? filter = null) =>
        new(owner, sid, $"stream:{stream}", new SubscribeOptions { FlowControl = true }, capacity, long.MaxValue) { Stream = stream, _start = start, Durable = durable, Filter = filter };

    /// <summary>A stream consumer's subject filter: the broker passes over messages of other subjects.</summary>
    internal string? Filter { get; private init; }

    /// <summary>Set for a durable consumer: each message is acknowledged by the application, not by the window.</summary>
    internal ConsumeOptions? Durable { get; private init; }

    /// <summary>MACK for one message of this durable consumer.</summary>
    internal void Acknowledge(ulong streamSequence) => _owner.AcknowledgeStream(Sid, streamSequence);

    /// <summary>
    /// Its SUB, or for a stream consumer its CONSUME: after a reconnect it goes on after the last message it received,
    /// so the new session neither repeats nor skips any.
    /// </summary>
    internal void WriteSubscribe(ref MessagePack.MessagePackWriter w, ulong reference)
    {
        if (Stream is null)
        {
            Protocol.CommandWriter.WriteSub(ref w, reference, Sid, Pattern, QueueGroup, Window);
            return;
        }

        if (Durable is { } durable)
        {
            // The broker goes on from the floor it keeps; the start counts only for a consumer it does not know yet.
            Protocol.CommandWriter.WriteConsume(ref w, reference, Sid, Stream, _start.Kind, _start.Value, Window, durable.Durable,
                (uint)Math.Clamp((durable.AckWait ?? TimeSpan.Zero).TotalMilliseconds, 0, uint.MaxValue), (uint)Math.Max(0, durable.MaxDeliveries ?? 0), durable.DeadLetter, filter: null, durable.Shared);
            return;
        }

        ulong last = LastStreamSequence;
        StreamStart start = last > 0 ? StreamStart.AtSequence(last + 1) : _start;
        if (Filter is not null || start.Kind == Protocol.StreamStartKind.LastPerSubject)
        {
            // After a reconnect, what changed since the last value received: in order, the filter kept.
            Protocol.CommandWriter.WriteConsume(ref w, reference, Sid, Stream, start.Kind, start.Value, Window, Filter);
            return;
        }

        Protocol.CommandWriter.WriteConsume(ref w, reference, Sid, Stream, start.Kind, start.Value, Window);
    }

    /// <summary>
    /// Socket thread: the broker's OK. For flow control it carries the window in force, which may be smaller
    /// than asked (the broker's <c>MaxFlowWindow</c>); acknowledging by a quarter of a larger one would stall.
    /// </summary>
    internal void OnConfirmed(ulong window)
    {
        if (FlowControl && window > 0)
        {
            Volatile.Write(ref _ackEvery, (int)Math.Max(1, Math.Min(window, Window) / 4));
        }

        Confirmed = true;
    }

    /// <summary>Socket thread: restored on a new session, whose sequence numbers and window start afresh.</summary>
    internal void NewSession()
    {
        LastSequence = 0;
        Interlocked.Increment(ref _epoch);
        Interlocked.Exchange(ref _unacknowledged, 0);
    }

    /// <summary>What a buffered message counts against the byte bound: its payload and subject, as NATS counts pending bytes.</summary>
    private static long BufferedSize(MqMessage message) => message.Data.Length + message.Subject.Length;

    /// <summary>
    /// The application took a message: its bytes leave the buffer, and with flow control every quarter window is
    /// acknowledged, for the current session only.
    /// </summary>
    private void Consumed(MqMessage message)
    {
        Interlocked.Add(ref _bufferedBytes, -BufferedSize(message));
        if (!FlowControl || Durable is not null || message.Epoch != Volatile.Read(ref _epoch))
        {
            return;
        }

        int count = Interlocked.Increment(ref _unacknowledged);
        if (count >= Volatile.Read(ref _ackEvery) && Interlocked.CompareExchange(ref _unacknowledged, 0, count) == count)
        {
            _owner.Acknowledge(Sid, (uint)count);
        }
    }

    private void ReportDropped(long count, bool local)
    {
        Interlocked.Add(ref _dropped, count);
        MqMetrics.Lost(count, local);
        if (Interlocked.Add(ref _unreported, count) == count)
        {
            ThreadPool.QueueUserWorkItem(static state => state.Subscription.RaiseDropped(state.Local), (Subscription: this, Local: local), preferLocal: false);
        }
    }

    private void RaiseDropped(bool local)
    {
        long count = Interlocked.Exchange(ref _unreported, 0);
        if (count == 0)
        {
            return;
        }

        var args = new MessagesDroppedEventArgs(Pattern, count, Dropped, local);
        _owner.OnMessagesDropped(this, args);
        try
        {
            MessagesDropped?.Invoke(this, args);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _owner.OnHandlerFailed(ex, Pattern);
        }
    }
}
