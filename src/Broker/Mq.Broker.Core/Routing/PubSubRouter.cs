using System.Buffers;
using System.Text;
using System.Text.Unicode;
using MessagePack;
using Mq.Broker.Events;
using Mq.Broker.Server;
using Mq.Broker.Sessions;
using Mq.Protocol;
using Mq.Subjects;

namespace Mq.Broker.Routing;

/// <summary>
/// PUB, SUB, UNSUB and ACK: keeps the subscription index and fans each publish out to its routes; deliveries to
/// flow-controlled subscriptions past their window wait (<see cref="SubscriptionFlow"/>) and hold the publisher back.
/// </summary>
internal sealed partial class PubSubRouter(BrokerOptions options, PeerWriter writer, BrokerCounters counters, PublisherCredit credit, Budgets budgets, BrokerEvents events)
{
    private readonly SubscriptionIndex _index = new();
    private readonly ArrayBufferWriter<byte> _scratch = new(256);

    public int Count => _index.Count + _consumers;

    /// <summary>Durable streams, which capture what is published and serve consumers; null in a broker without them.</summary>
    public Streams.StreamHost? Streams { get; set; }

    /// <summary>
    /// One PUB, or with <paramref name="durable"/> a DPUB (its ref first, every refusal answered with it);
    /// <paramref name="start"/> is where the command began, to charge its size to the publisher's credit.
    /// </summary>
    public void Publish(PeerSession publisher, ref CommandReader reader, int start, long now, bool durable = false)
    {
        ulong reference = durable ? reader.ReadUInt() : 0;
        ReadOnlyMemory<byte> subject = reader.ReadUtf8(ProtocolLimits.MaxSubjectBytes);
        ReadOnlyMemory<byte> headers = reader.ReadHeadersRaw();
        ReadOnlyMemory<byte> payload = reader.ReadBinary();
        reader.EndCommand();

        if (!credit.Charge(publisher, reader.Position - start))
        {
            writer.Refuse(publisher, reference, ErrorCode.LimitExceeded,
                $"published {publisher.PublishedBytes} bytes where the broker granted {publisher.CreditGranted}: wait for CREDIT", now);
            return;
        }

        if (payload.Length > options.MaxPayloadBytes)
        {
            writer.Refuse(publisher, reference, ErrorCode.TooLarge, $"payload of {payload.Length} bytes exceeds the broker's limit of {options.MaxPayloadBytes}", now);
            return;
        }

        Span<char> chars = stackalloc char[subject.Length];
        if (Utf8.ToUtf16(subject.Span, chars, out _, out int length, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            writer.Refuse(publisher, reference, ErrorCode.InvalidSubject, "subject is not valid UTF-8", now);
            return;
        }

        if (chars[..length].StartsWith(QuietWatch.ReservedPrefix, StringComparison.Ordinal))
        {
            writer.Refuse(publisher, reference, ErrorCode.PermissionDenied, $"'{chars[..length]}' is under {QuietWatch.ReservedPrefix}, where only the broker publishes", now);
            events.PermissionDenied(publisher, "publish", chars[..length].ToString(), now);
            return;
        }

        if (publisher.Permissions is { } permissions && !permissions.CanPublish(chars[..length]))
        {
            writer.Refuse(publisher, reference, ErrorCode.PermissionDenied, $"publish to '{chars[..length]}' is not allowed for identity '{publisher.Identity!.Name}'", now);
            events.PermissionDenied(publisher, "publish", chars[..length].ToString(), now);
            return;
        }

        RouteSet? routes = _index.Lookup(chars[..length], out string? error);
        if (routes is null)
        {
            writer.Refuse(publisher, reference, ErrorCode.InvalidSubject, error!, now);
            return;
        }

        counters.MessagesPublished++;
        foreach (BrokerSubscription subscription in routes.Plain)
        {
            Deliver(publisher, subscription, subject.Span, headers.Span, payload.Span, now);
        }

        foreach (QueueGroupRoute group in routes.Groups)
        {
            BrokerSubscription? member = group.Pick();
            if (member is not null)
            {
                Deliver(publisher, member, subject.Span, headers.Span, payload.Span, now);
            }
        }

        // After the checks above: a stream captures only what its publisher was allowed to publish.
        if (Streams is { } streams)
        {
            streams.Capture(publisher, reference, durable, chars[..length], subject, headers, payload, now);
        }
        else if (durable)
        {
            writer.Refuse(publisher, reference, ErrorCode.NoStream, "this broker has no streams", now);
        }
    }

    public void Subscribe(PeerSession peer, ref CommandReader reader, long now)
    {
        ulong reference = reader.ReadUInt();
        ulong sid = reader.ReadUInt();
        ReadOnlyMemory<byte> patternUtf8 = reader.ReadUtf8(ProtocolLimits.MaxSubjectBytes);
        ReadOnlyMemory<byte>? groupUtf8 = reader.ReadUtf8OrNil(ProtocolLimits.MaxNameBytes);
        ulong window = reader.HasMoreFields ? reader.ReadUInt() : 0;
        reader.EndCommand();

        // Validated as bytes first: decoding would quietly turn invalid UTF-8 into U+FFFD.
        string? error = Subject.Validate(patternUtf8.Span, SubjectKind.Pattern)
            ?? (groupUtf8 is { } g ? Subject.Validate(g.Span, SubjectKind.QueueGroup) : null);
        string pattern = Encoding.UTF8.GetString(patternUtf8.Span);
        string? group = groupUtf8 is { } groupBytes ? Encoding.UTF8.GetString(groupBytes.Span) : null;
        if (error is not null)
        {
            writer.Refuse(peer, reference, ErrorCode.InvalidSubject, error, now);
            return;
        }

        if (peer.Permissions is { } permissions && !permissions.CanSubscribe(pattern))
        {
            writer.Refuse(peer, reference, ErrorCode.PermissionDenied, $"subscribe to '{pattern}' is not allowed for identity '{peer.Identity!.Name}'", now);
            events.PermissionDenied(peer, "subscribe", pattern, now);
            return;
        }

        if (window > 0 && peer.Permissions is { } flowPermissions && !flowPermissions.CanFlowControl(pattern))
        {
            writer.Refuse(peer, reference, ErrorCode.PermissionDenied, $"flow control on '{pattern}' is not allowed for identity '{peer.Identity!.Name}'; subscribe without a window", now);
            events.PermissionDenied(peer, "flow_control", pattern, now);
            return;
        }

        long cost = Budgets.SubscriptionCost(patternUtf8.Length, groupUtf8?.Length ?? 0);
        if (!Admit(peer, reference, sid, cost, now))
        {
            return;
        }

        SubscriptionFlow? flow = window == 0 ? null : new SubscriptionFlow((uint)Math.Min(window, (ulong)options.MaxFlowWindow));
        var subscription = new BrokerSubscription(peer, sid, pattern, group, flow, cost);
        peer.Subscriptions.Add(sid, subscription);
        _index.Add(subscription);
        budgets.Subscribed(peer, cost);
        if (IsSystem(subscription))
        {
            _systemSubscriptions++;
        }

        events.Subscribed(subscription, now);
        if (flow is null)
        {
            writer.Ok(peer, reference, now);
            return;
        }

        // The window in force, which may be smaller than asked: the peer acknowledges by it.
        MessagePackWriter w = writer.Begin(peer);
        CommandWriter.WriteOk(ref w, reference, flow.Window);
        writer.End(peer, ref w, now);
    }

    public void Unsubscribe(PeerSession peer, ref CommandReader reader, long now)
    {
        ulong reference = reader.ReadUInt();
        ulong sid = reader.ReadUInt();
        reader.EndCommand();

        if (!peer.Subscriptions.Remove(sid, out BrokerSubscription? subscription))
        {
            writer.Refuse(peer, reference, ErrorCode.Conflict, $"no subscription with id {sid}", now);
            return;
        }

        Remove(subscription, now);
        events.Unsubscribed(subscription, now);
        writer.Ok(peer, reference, now);
    }

    /// <summary>ACK: the subscriber consumed <c>count</c> more deliveries; waiting ones go out within the new credit.</summary>
    public void Ack(PeerSession peer, ref CommandReader reader, long now)
    {
        ulong sid = reader.ReadUInt();
        ulong count = reader.ReadUInt();
        reader.EndCommand();

        // An ACK crossing an UNSUB is expected; only an ACK on a subscription without flow control is a mistake.
        if (!peer.Subscriptions.TryGetValue(sid, out BrokerSubscription? subscription))
        {
            return;
        }

        if (subscription.Flow is not { } flow)
        {
            writer.Refuse(peer, 0, ErrorCode.Malformed, $"subscription {sid} is not flow-controlled: ACK is not expected", now);
            return;
        }

        // Capped, so a confused or hostile peer cannot widen its window past what it asked for.
        if (subscription.Cursor is { Durable: not null })
        {
            // A durable consumer's window opens with each MACK, one message at a time, never by count.
            return;
        }

        flow.Credit = (long)Math.Min((ulong)flow.Credit + Math.Min(count, flow.Window), flow.Window);
        if (subscription.Cursor is not null)
        {
            Streams!.Pump(subscription, now);
            return;
        }

        SendWaiting(peer, subscription, now);
    }

    /// <summary>The peer's backed-up queue has drained: deliveries that waited only for that go out now.</summary>
    public void Resume(PeerSession peer, long now)
    {
        foreach (BrokerSubscription subscription in peer.Subscriptions.Values)
        {
            if (subscription.Cursor is not null)
            {
                Streams!.Pump(subscription, now);
            }
            else if (subscription.Flow is { Waiting.Count: > 0 })
            {
                SendWaiting(peer, subscription, now);
            }
        }
    }

    /// <summary>The peer's permissions changed: subscriptions no longer allowed go, and the peer is told which.</summary>
    public void Revoke(PeerSession peer, long now)
    {
        foreach (BrokerSubscription subscription in peer.Subscriptions.Values.ToArray())
        {
            string? withdrawn = peer.Permissions is not { } permissions ? null
                : subscription.Cursor is { } cursor ? (cursor.Stream.Options.Subjects.All(permissions.CanSubscribe) ? null : "reading")
                : !permissions.CanSubscribe(subscription.Pattern) ? "subscribe to"
                : subscription.Flow is not null && !permissions.CanFlowControl(subscription.Pattern) ? "flow control on"
                : null;
            if (withdrawn is not null)
            {
                peer.Subscriptions.Remove(subscription.Sid);
                Remove(subscription, now);
                MessagePackWriter w = writer.Begin(peer);
                CommandWriter.WriteRevoked(ref w, subscription.Sid, null, $"{withdrawn} '{subscription.Pattern}' is no longer allowed for identity '{peer.Identity!.Name}'");
                writer.End(peer, ref w, now);
            }
        }
    }

    public void RemoveAll(PeerSession peer, long now)
    {
        foreach (BrokerSubscription subscription in peer.Subscriptions.Values)
        {
            Remove(subscription, now);
        }

        peer.Subscriptions.Clear();
    }

    private void Remove(BrokerSubscription subscription, long now)
    {
        subscription.Removed = true;
        if (subscription.Cursor is { } cursor)
        {
            cursor.Stream.Consumers.Remove(subscription);
            cursor.Stream.Host.Left(subscription);
            _consumers--;
        }
        else
        {
            _index.Remove(subscription);
        }

        budgets.Unsubscribed(subscription.Session, subscription.Cost);
        if (IsSystem(subscription))
        {
            _systemSubscriptions--;
        }

        if (subscription.Flow is { } flow)
        {
            // Deliveries still waiting were for a subscriber that no longer wants them.
            flow.Waiting.Clear();
            Unwait(subscription, flow.WaitingBytes);
            Release(subscription, now);
        }
    }

    /// <summary>One delivery; <paramref name="publisher"/> is null for the broker's own events, which hold nobody back.</summary>
    private void Deliver(PeerSession? publisher, BrokerSubscription subscription, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, long now)
    {
        PeerSession target = subscription.Session;
        if (target.IsClosed || subscription.Removed)
        {
            return;
        }

        if (subscription.Flow is { } flow && !flow.TryTake(target))
        {
            _scratch.ResetWrittenCount();
            var scratch = new MessagePackWriter(_scratch);
            CommandWriter.WriteMsg(ref scratch, subscription.Sid, ++subscription.Sequence, subject, headers, payload);
            scratch.Flush();
            counters.FlowWaits++;
            if (publisher is not null)
            {
                credit.Stall(publisher, flow, now);
                _holding.Add(subscription);
            }

            Wait(subscription, _scratch.WrittenSpan.ToArray(), now);
            return;
        }

        counters.MessagesDelivered++;
        MessagePackWriter w = writer.Begin(target);
        CommandWriter.WriteMsg(ref w, subscription.Sid, ++subscription.Sequence, subject, headers, payload);
        writer.End(target, ref w, now);
    }
}
