using System.Text;
using MessagePack;
using Microsoft.Extensions.Logging;
using Mq.Broker.Routing;
using Mq.Broker.Server;
using Mq.Broker.Sessions;

namespace Mq.Broker.Events;

/// <summary>
/// What the broker tells about itself: events published under <c>$SYS.event.</c> (docs/protocol.md §8.3), and the
/// log lines about subscriptions, services and slow consumers. An event is built only when a subscription under
/// <c>$SYS.</c> matches its subject. What peers can cause is bounded: slow-consumer events are coalesced per
/// subscription (<see cref="SubscriptionDrops"/>); permission_denied and auth_failed pass at most
/// <see cref="RefusalEventsPerSecond"/> each, broker-wide, and the next one that passes says how many were
/// suppressed; the Debug lines pass at most <see cref="DebugLinesPerSecond"/>. Broker thread only.
/// </summary>
internal sealed partial class BrokerEvents(BrokerOptions options, BrokerCounters counters, PeerWriter writer, ILogger logger, Func<PubSubRouter> pubSub)
{
    public const string Prefix = "$SYS.event.";
    public const string PeerConnected = "peer.connected";
    public const string PeerDisconnected = "peer.disconnected";
    public const string SlowConsumer = "slow_consumer";
    public const string PermissionDeniedKind = "permission_denied";
    public const string AuthFailedKind = "auth_failed";

    public const int RefusalEventsPerSecond = 10;
    public const int DebugLinesPerSecond = 20;

    /// <summary>How long after its last lost delivery a peer or subscription still counts as a slow consumer.</summary>
    public const long SlowConsumerWindowMs = 10_000;

    private readonly RateLimit _denied = new(RefusalEventsPerSecond);
    private readonly RateLimit _authFailed = new(RefusalEventsPerSecond);
    private readonly RateLimit _debugLines = new(DebugLinesPerSecond);

    /// <summary>True if something lost within <see cref="SlowConsumerWindowMs"/> before <paramref name="now"/>.</summary>
    public static bool IsSlow(long? lastDropAt, long now) => lastDropAt is { } at && now - at < SlowConsumerWindowMs;

    public void Connected(PeerSession peer, long now)
    {
        if (Routes(PeerConnected) is { } routes)
        {
            Publish(routes, PeerConnected, Who(Start(PeerConnected), peer), now);
        }
    }

    /// <summary>Called while the session still has its name, id and identity (before it is forgotten).</summary>
    public void Disconnected(PeerSession peer, string reason, long now)
    {
        if (Routes(PeerDisconnected) is { } routes)
        {
            Dictionary<string, object?> e = Who(Start(PeerDisconnected), peer);
            e["reason"] = reason;
            e["connected_ms"] = now - peer.ConnectedAt;
            e["dropped_messages"] = peer.DroppedMessages;
            Publish(routes, PeerDisconnected, e, now);
        }
    }

    /// <summary>A peer was refused <paramref name="action"/> (publish, subscribe, flow_control, serve, request) on <paramref name="subject"/>.</summary>
    public void PermissionDenied(PeerSession peer, string action, string subject, long now)
    {
        if (Routes(PermissionDeniedKind) is { } routes && Pass(_denied, now, out long suppressed))
        {
            Dictionary<string, object?> e = Who(Start(PermissionDeniedKind), peer);
            e["action"] = action;
            e["subject"] = subject;
            e["suppressed"] = suppressed;
            Publish(routes, PermissionDeniedKind, e, now);
        }
    }

    /// <summary>A connection from <paramref name="address"/> failed to prove <paramref name="identity"/> (null: it could not even try).</summary>
    public void AuthFailed(string address, string? identity, string reason, long now)
    {
        if (Routes(AuthFailedKind) is { } routes && Pass(_authFailed, now, out long suppressed))
        {
            Dictionary<string, object?> e = Start(AuthFailedKind);
            e["address"] = address;
            e["identity"] = identity;
            e["reason"] = reason;
            e["suppressed"] = suppressed;
            Publish(routes, AuthFailedKind, e, now);
        }
    }

    public void Subscribed(BrokerSubscription s, long now)
    {
        if (logger.IsEnabled(LogLevel.Debug) && MayLogDebug(now))
        {
            LogSubscribed(s.Session, s.Pattern, s.Sid, s.Group ?? "-", s.Flow?.Window ?? 0);
        }
    }

    public void Unsubscribed(BrokerSubscription s, long now)
    {
        if (logger.IsEnabled(LogLevel.Debug) && MayLogDebug(now))
        {
            LogUnsubscribed(s.Session, s.Pattern, s.Sid, s.Sequence, s.Drops?.Total ?? 0);
        }
    }

    public void Served(PeerSession peer, string service, long now)
    {
        if (logger.IsEnabled(LogLevel.Debug) && MayLogDebug(now))
        {
            LogServed(peer, service);
        }
    }

    public void Unserved(PeerSession peer, string service, long now)
    {
        if (logger.IsEnabled(LogLevel.Debug) && MayLogDebug(now))
        {
            LogUnserved(peer, service);
        }
    }

    /// <summary>
    /// Tick: announces and logs what subscriptions lost since they were last announced and logged, as far as their
    /// intervals allow; a subscription leaves the list once nothing of it is left to tell.
    /// </summary>
    public void Report(long now)
    {
        if (writer.Dropping.Count == 0)
        {
            return;
        }

        // Copied: an event delivered here may itself be dropped, and add to the list.
        RouteSet? routes = Routes(SlowConsumer);
        foreach (BrokerSubscription subscription in writer.Dropping.ToArray())
        {
            SubscriptionDrops drops = subscription.Drops!;
            PeerSession peer = subscription.Session;
            bool cutOff = drops.CutOffReason is not null;
            if (peer.IsClosed || (subscription.Removed && !cutOff))
            {
                // Its peer's departure, or its UNSUB's Debug line, tells the totals.
                writer.Dropping.Remove(subscription);
                continue;
            }

            if (routes is not null && drops.TryAnnounce(now, out long dropped))
            {
                Dictionary<string, object?> e = Who(Start(SlowConsumer), peer);
                e["sid"] = subscription.Sid;
                e["pattern"] = subscription.Pattern;
                e["queue_group"] = subscription.Group;
                e["dropped"] = dropped;
                e["dropped_total"] = drops.Total;
                e["cut_off"] = cutOff;
                e["reason"] = drops.CutOffReason;
                Publish(routes, SlowConsumer, e, now);
            }

            // A cut-off is logged when it happens (PeerWriter.ReportSlowConsumer).
            bool first = !drops.Logged;
            if (!cutOff && drops.TryLog(now, out long unlogged) && writer.MayLog(now))
            {
                LogDropping(first ? "is dropping messages" : "is still dropping messages", peer, peer.Source, subscription.Sid, subscription.Pattern, unlogged, drops.Total);
            }

            if (cutOff || ((routes is null || drops.Unannounced == 0) && drops.Unlogged == 0))
            {
                writer.Dropping.Remove(subscription);
            }
        }
    }

    private static Dictionary<string, object?> Who(Dictionary<string, object?> e, PeerSession peer)
    {
        e["name"] = peer.Name;
        e["peer_id"] = peer.PeerId;
        e["identity"] = peer.Identity?.Name;
        e["address"] = peer.Source;
        return e;
    }

    private RouteSet? Routes(string kind)
    {
        // Checked before the subject is even put together: with no watcher an event costs this test and nothing more.
        PubSubRouter router = pubSub();
        return router.HasEventWatchers ? router.EventRoutes(Prefix + kind) : null;
    }

    private bool Pass(RateLimit limit, long now, out long suppressed)
    {
        if (limit.TryPass(now, out suppressed))
        {
            return true;
        }

        counters.EventsSuppressed++;
        return false;
    }

    private Dictionary<string, object?> Start(string kind) => new(StringComparer.Ordinal)
    {
        ["event"] = kind,
        ["time"] = DateTimeOffset.UtcNow.ToString("O"),
        ["broker"] = options.Name,
    };

    private void Publish(RouteSet routes, string kind, Dictionary<string, object?> e, long now)
    {
        counters.EventsPublished++;
        pubSub().PublishEvent(routes, Encoding.UTF8.GetBytes(Prefix + kind), MessagePackSerializer.Serialize(e), now);
    }

    private bool MayLogDebug(long now) => _debugLines.TryLog(now, logger, LogDebugSuppressed);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Peer {Peer} subscribed to '{Pattern}' (sid {Sid}, queue group {Group}, flow-control window {Window})")]
    private partial void LogSubscribed(PeerSession peer, string pattern, ulong sid, string group, uint window);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Peer {Peer} unsubscribed from '{Pattern}' (sid {Sid}) after {Routed} messages routed to it, {Dropped} of them dropped")]
    private partial void LogUnsubscribed(PeerSession peer, string pattern, ulong sid, ulong routed, long dropped);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Peer {Peer} serves '{Service}'")]
    private partial void LogServed(PeerSession peer, string service);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Peer {Peer} no longer serves '{Service}'")]
    private partial void LogUnserved(PeerSession peer, string service);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Count} more subscription and service lines in the last second were not logged")]
    private static partial void LogDebugSuppressed(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscriber {Peer} from {Address} {State}: its queue is full; subscription {Sid} to '{Pattern}' lost {Dropped} messages since the last line, {Total} in all")]
    private partial void LogDropping(string state, PeerSession peer, string address, ulong sid, string pattern, long dropped, long total);
}
