using System.Buffers;
using System.Text;
using System.Text.Unicode;
using MessagePack;
using Mq.Broker.Server;
using Mq.Broker.Sessions;
using Mq.Protocol;
using Mq.Subjects;

namespace Mq.Broker.Routing;

/// <summary>
/// PUB, SUB, UNSUB and ACK: keeps the subscription index and fans each publish out to its routes; deliveries to
/// flow-controlled subscriptions past their window wait (<see cref="SubscriptionFlow"/>) and hold the publisher back.
/// </summary>
internal sealed class PubSubRouter(BrokerOptions options, PeerWriter writer, BrokerCounters counters, PublisherCredit credit)
{
    private readonly SubscriptionIndex _index = new();
    private readonly ArrayBufferWriter<byte> _scratch = new(256);

    public int Count => _index.Count;

    /// <summary>One PUB; <paramref name="start"/> is where the command began, to charge its size to the publisher's credit.</summary>
    public void Publish(PeerSession publisher, ref CommandReader reader, int start, long now)
    {
        ReadOnlyMemory<byte> subject = reader.ReadUtf8(ProtocolLimits.MaxSubjectBytes);
        ReadOnlyMemory<byte> headers = reader.ReadHeadersRaw();
        ReadOnlyMemory<byte> payload = reader.ReadBinary();
        reader.EndCommand();

        if (!credit.Charge(publisher, reader.Position - start))
        {
            writer.Refuse(publisher, 0, ErrorCode.LimitExceeded,
                $"published {publisher.PublishedBytes} bytes where the broker granted {publisher.CreditGranted}: wait for CREDIT", now);
            return;
        }

        if (payload.Length > options.MaxPayloadBytes)
        {
            writer.Refuse(publisher, 0, ErrorCode.TooLarge, $"payload of {payload.Length} bytes exceeds the broker's limit of {options.MaxPayloadBytes}", now);
            return;
        }

        Span<char> chars = stackalloc char[subject.Length];
        if (Utf8.ToUtf16(subject.Span, chars, out _, out int length, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            writer.Refuse(publisher, 0, ErrorCode.InvalidSubject, "subject is not valid UTF-8", now);
            return;
        }

        if (publisher.Permissions is { } permissions && !permissions.CanPublish(chars[..length]))
        {
            writer.Refuse(publisher, 0, ErrorCode.PermissionDenied, $"publish to '{chars[..length]}' is not allowed for identity '{publisher.Identity!.Name}'", now);
            return;
        }

        RouteSet? routes = _index.Lookup(chars[..length], out string? error);
        if (routes is null)
        {
            writer.Refuse(publisher, 0, ErrorCode.InvalidSubject, error!, now);
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
            return;
        }

        if (peer.Subscriptions.ContainsKey(sid))
        {
            writer.Refuse(peer, reference, ErrorCode.Conflict, $"subscription id {sid} is already in use", now);
            return;
        }

        if (peer.Subscriptions.Count >= options.MaxSubscriptionsPerPeer)
        {
            writer.Refuse(peer, reference, ErrorCode.LimitExceeded, $"a peer may hold at most {options.MaxSubscriptionsPerPeer} subscriptions", now);
            return;
        }

        SubscriptionFlow? flow = window == 0 ? null : new SubscriptionFlow((uint)Math.Min(window, (ulong)options.MaxFlowWindow));
        var subscription = new BrokerSubscription(peer, sid, pattern, group, flow);
        peer.Subscriptions.Add(sid, subscription);
        _index.Add(subscription);
        writer.Ok(peer, reference, now);
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
        flow.Credit = (long)Math.Min((ulong)flow.Credit + Math.Min(count, flow.Window), flow.Window);
        SendWaiting(peer, flow, now);
    }

    /// <summary>The peer's backed-up queue has drained: deliveries that waited only for that go out now.</summary>
    public void Resume(PeerSession peer, long now)
    {
        foreach (BrokerSubscription subscription in peer.Subscriptions.Values)
        {
            if (subscription.Flow is { Waiting.Count: > 0 } flow)
            {
                SendWaiting(peer, flow, now);
            }
        }
    }

    /// <summary>The peer's permissions changed: subscriptions no longer allowed go, and the peer is told which.</summary>
    public void Revoke(PeerSession peer, long now)
    {
        foreach (BrokerSubscription subscription in peer.Subscriptions.Values.ToArray())
        {
            if (peer.Permissions?.CanSubscribe(subscription.Pattern) == false)
            {
                peer.Subscriptions.Remove(subscription.Sid);
                Remove(subscription, now);
                MessagePackWriter w = writer.Begin(peer);
                CommandWriter.WriteRevoked(ref w, subscription.Sid, null, $"subscribe to '{subscription.Pattern}' is no longer allowed for identity '{peer.Identity!.Name}'");
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
        _index.Remove(subscription);
        if (subscription.Flow is { } flow)
        {
            // Deliveries still waiting were for a subscriber that no longer wants them.
            flow.Waiting.Clear();
            credit.Release(flow, now);
        }
    }

    /// <summary>Sends waiting deliveries while there is room; once none wait, the publishers held back may go on.</summary>
    private void SendWaiting(PeerSession peer, SubscriptionFlow flow, long now)
    {
        // Checked on each turn: a write can flush, find the queue full and back it up again.
        while (flow.Credit > 0 && peer.Backlog.WrittenCount == 0 && flow.Waiting.TryDequeue(out byte[]? msg))
        {
            flow.Credit--;
            counters.MessagesDelivered++;
            writer.WriteRaw(peer, msg, now);
        }

        if (flow.Waiting.Count == 0 && flow.Stalled.Count > 0)
        {
            credit.Release(flow, now);
        }
    }

    private void Deliver(PeerSession publisher, BrokerSubscription subscription, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, long now)
    {
        PeerSession target = subscription.Session;
        if (target.IsClosed)
        {
            return;
        }

        if (subscription.Flow is { } flow && !flow.TryTake(target))
        {
            _scratch.ResetWrittenCount();
            var scratch = new MessagePackWriter(_scratch);
            CommandWriter.WriteMsg(ref scratch, subscription.Sid, ++subscription.Sequence, subject, headers, payload);
            scratch.Flush();
            flow.Waiting.Enqueue(_scratch.WrittenSpan.ToArray());
            counters.FlowWaits++;
            credit.Stall(publisher, flow);
            return;
        }

        counters.MessagesDelivered++;
        MessagePackWriter w = writer.Begin(target);
        CommandWriter.WriteMsg(ref w, subscription.Sid, ++subscription.Sequence, subject, headers, payload);
        writer.End(target, ref w, now);
    }
}
