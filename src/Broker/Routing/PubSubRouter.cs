using System.Buffers;
using System.Text;
using System.Text.Unicode;
using MessagePack;
using Mq.Broker.Server;
using Mq.Broker.Sessions;
using Mq.Protocol;
using Mq.Subjects;

namespace Mq.Broker.Routing;

/// <summary>PUB, SUB and UNSUB: keeps the subscription index and fans each publish out to its routes.</summary>
internal sealed class PubSubRouter(BrokerOptions options, PeerWriter writer, BrokerCounters counters)
{
    private readonly SubscriptionIndex _index = new();

    public int Count => _index.Count;

    public void Publish(PeerSession publisher, ref CommandReader reader, long now)
    {
        ReadOnlyMemory<byte> subject = reader.ReadUtf8(ProtocolLimits.MaxSubjectBytes);
        ReadOnlyMemory<byte> headers = reader.ReadHeadersRaw();
        ReadOnlyMemory<byte> payload = reader.ReadBinary();
        reader.EndCommand();

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

        RouteSet? routes = _index.Lookup(chars[..length], out string? error);
        if (routes is null)
        {
            writer.Refuse(publisher, 0, ErrorCode.InvalidSubject, error!, now);
            return;
        }

        counters.MessagesPublished++;
        foreach (BrokerSubscription subscription in routes.Plain)
        {
            Deliver(subscription, subject.Span, headers.Span, payload.Span, now);
        }

        foreach (QueueGroupRoute group in routes.Groups)
        {
            BrokerSubscription? member = group.Pick();
            if (member is not null)
            {
                Deliver(member, subject.Span, headers.Span, payload.Span, now);
            }
        }
    }

    public void Subscribe(PeerSession peer, ref CommandReader reader, long now)
    {
        ulong reference = reader.ReadUInt();
        ulong sid = reader.ReadUInt();
        ReadOnlyMemory<byte> patternUtf8 = reader.ReadUtf8(ProtocolLimits.MaxSubjectBytes);
        ReadOnlyMemory<byte>? groupUtf8 = reader.ReadUtf8OrNil(ProtocolLimits.MaxNameBytes);
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

        var subscription = new BrokerSubscription(peer, sid, pattern, group);
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

        _index.Remove(subscription);
        writer.Ok(peer, reference, now);
    }

    public void RemoveAll(PeerSession peer)
    {
        foreach (BrokerSubscription subscription in peer.Subscriptions.Values)
        {
            _index.Remove(subscription);
        }

        peer.Subscriptions.Clear();
    }

    private void Deliver(BrokerSubscription subscription, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, long now)
    {
        PeerSession target = subscription.Session;
        if (target.IsClosed)
        {
            return;
        }

        counters.MessagesDelivered++;
        MessagePackWriter w = writer.Begin(target);
        CommandWriter.WriteMsg(ref w, subscription.Sid, ++subscription.Sequence, subject, headers, payload);
        writer.End(target, ref w, now);
    }
}
