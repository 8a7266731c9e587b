using Microsoft.Extensions.Logging;
using Mq.Broker.Routing;
using Mq.Broker.Sessions;

namespace Mq.Broker.Server;

/// <summary>How a session ends: a BYE restarts it on the same connection; a close or a timeout forgets it.</summary>
internal sealed partial class BrokerEngine
{
    /// <summary>
    /// The peer said BYE: its session ends, and its connection, still open, starts over with a new session that
    /// has to be Ready within the handshake deadline again (the peer normally closes the connection next).
    /// </summary>
    private void Restart(PeerSession session, long now)
    {
        Forget(session, "said goodbye", now);
        OnConnected(session.Key, session.Source, now, now, session.IsLocal, session.Local);

        // What belongs to the connection, not the session, carries over: its channel and its failed guesses.
        PeerSession next = _sessions[session.Key];
        next.Channel = session.Channel;
        next.AuthFailures = session.AuthFailures;
    }

    private void Close(PeerSession session, string reason, long now)
    {
        Quiet.Gone(session.Key, now);
        Forget(session, reason, now);
        session.Channel?.Dispose();
        _sink.Close(session);
    }

    private void Forget(PeerSession session, string reason, long now)
    {
        Ended(session, reason, now);
        session.State = PeerState.Closed;
        _sessions.Remove(session.Key);
        EndSession(session, now);
    }

    /// <summary>A Ready session is over: its leave line and event, while it still has its name, id and identity.</summary>
    private void Ended(PeerSession session, string reason, long now)
    {
        if (session.State != PeerState.Ready)
        {
            return;
        }

        if (session.DroppedMessages > 0)
        {
            LogLossyPeerGone(session.Name, session.PeerId, session.Source, session.DroppedMessages, reason);
        }
        else
        {
            LogPeerGone(session.Name, session.PeerId, session.Source, reason);
        }

        _events.Disconnected(session, reason, now);
    }

    /// <summary>
    /// Forgets everything a session held or had coming, so that nothing of it reaches a later session on the same
    /// connection (a second HELLO) or outlives a closed one: its subscriptions (with their sequences and
    /// deliveries waiting for flow-control credit), services and requests, the publishers' waits on it and its
    /// own, drop counts not yet reported, and every command not yet sent to it. What the connection itself did
    /// (failed authentications) stays.
    /// </summary>
    private void EndSession(PeerSession session, long now)
    {
        _pubSub.RemoveAll(session, now);
        _requests.PeerClosed(session, now);
        _budgets.Leave(session);
        PublisherCredit.Forget(session);
        PublisherCredit.Reset(session, 0);
        PeerWriter.Discard(session);
        session.DroppedFrames = 0;
        session.DroppedMessages = 0;
        session.LastDropAt = null;
        session.Identity = null;
        session.Nonce = null;

        // Replies to the old session's requests check the peer id, so they must not match until WELCOME sets a new one.
        session.PeerId = "";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {Name} ({PeerId}) from {Address} left: {Reason}")]
    private partial void LogPeerGone(string name, string peerId, string address, string reason);

    // A subscriber that lost messages leaves a trace with the count, however few of its drops were logged.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Name} ({PeerId}) from {Address} left having lost {Dropped} messages to its full queue or slow-consumer cut-offs: {Reason}")]
    private partial void LogLossyPeerGone(string name, string peerId, string address, long dropped, string reason);
}
