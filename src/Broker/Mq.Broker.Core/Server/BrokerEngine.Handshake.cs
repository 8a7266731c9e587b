using MessagePack;
using Microsoft.Extensions.Logging;
using Mq.Broker.Routing;
using Mq.Broker.Security;
using Mq.Broker.Sessions;
using Mq.Protocol;

namespace Mq.Broker.Server;

/// <summary>
/// The handshake (HELLO, and with a security policy CHALLENGE/AUTH, then WELCOME) and the policy's effect on
/// live sessions when it is edited.
/// </summary>
internal sealed partial class BrokerEngine
{
    private void Hello(PeerSession session, ref CommandReader reader, long now)
    {
        ulong version = reader.ReadUInt();
        string name = reader.ReadString(ProtocolLimits.MaxNameBytes);
        reader.ReadSettings();
        reader.EndCommand();

        if (version > int.MaxValue || !ProtocolVersion.Supported.Contains((int)version))
        {
            _writer.Refuse(session, 0, ErrorCode.UnsupportedVersion,
                $"protocol version {version} is not supported; this broker speaks {string.Join(", ", ProtocolVersion.Supported)}", now);
            return;
        }

        if (name.Length == 0 || name.Any(char.IsControl))
        {
            _writer.Refuse(session, 0, ErrorCode.Malformed, "a peer name must be non-empty and free of control characters", now);
            return;
        }

        if (session.State is PeerState.Ready or PeerState.Authenticating)
        {
            // A second HELLO starts the session over, as a reconnect would.
            Ended(session, "it started a new session with HELLO", now);
            EndSession(session, now);
        }

        session.Name = name;
        session.Version = (int)version;
        if (_auth is null)
        {
            Welcome(session, now);
            return;
        }

        if (session.IsLocal)
        {
            WelcomeLocal(session, now);
            return;
        }

        if (session.AuthFailures >= _options.MaxAuthFailuresPerConnection)
        {
            // No more challenges: the connection's guesses are used up, whatever its source.
            session.State = PeerState.Handshaking;
            string refused = $"too many failed authentications on this connection ({session.AuthFailures}); connect again";
            _writer.Refuse(session, 0, ErrorCode.Unauthenticated, refused, now);
            _events.AuthFailed(session.Source, null, refused, now);
            return;
        }

        session.State = PeerState.Authenticating;
        session.Nonce = Authenticator.NewNonce();
        MessagePackWriter w = _writer.Begin(session);
        CommandWriter.WriteChallenge(ref w, session.Nonce);
        _writer.End(session, ref w, now);
    }

    private void Auth(PeerSession session, ref CommandReader reader, long now)
    {
        string identity = reader.ReadString(ProtocolLimits.MaxNameBytes);
        ReadOnlyMemory<byte> signature = reader.ReadBinary();
        reader.EndCommand();

        if (session.State != PeerState.Authenticating || session.Nonce is not { } nonce)
        {
            // Only an outstanding CHALLENGE can be answered; a live session cannot change its identity this way.
            _writer.Refuse(session, 0, ErrorCode.Malformed, "AUTH answers a CHALLENGE; none is outstanding", now);
            return;
        }

        // One answer per challenge: a failed proof needs a new HELLO, and so a new nonce.
        session.Nonce = null;
        session.State = PeerState.Handshaking;
        // A policy needs the broker key (checked at start), so every session here has a channel.
        if (_auth!.Throttled(session.Source, identity, now) is { } throttled)
        {
            session.AuthFailures++;
            _writer.Refuse(session, 0, ErrorCode.Unauthenticated, throttled, now);
            _events.AuthFailed(session.Source, identity, throttled, now);
            return;
        }

        PolicyIdentity? proven = _auth.Verify(session.Source, identity, session.Channel?.HandshakeHash ?? [], nonce, signature.Span, now);
        if (proven is null)
        {
            session.AuthFailures++;
            _writer.Refuse(session, 0, ErrorCode.Unauthenticated, $"authentication as '{identity}' failed: unknown identity or wrong key", now);
            _events.AuthFailed(session.Source, identity, "unknown identity or wrong key", now);
            return;
        }

        if (_budgets.RefuseConnection(proven.Name) is { } tooMany)
        {
            _writer.Refuse(session, 0, ErrorCode.LimitExceeded, tooMany, now);
            return;
        }

        session.Identity = proven;
        Welcome(session, now);
    }

    /// <summary>
    /// A Unix socket peer under a policy: its identity is the one the policy maps its uid or gid (or their names) to,
    /// as PostgreSQL's peer authentication does; there is no key to prove, and an unmapped peer is refused as a TCP
    /// peer without a key would be.
    /// </summary>
    private void WelcomeLocal(PeerSession session, long now)
    {
        PolicyIdentity? mapped = _auth!.Policy.MapLocal(session.Local, out string refusal);
        if (mapped is null)
        {
            session.State = PeerState.Handshaking;
            _writer.Refuse(session, 0, ErrorCode.Unauthenticated, refusal, now);
            _events.AuthFailed(session.Source, null, refusal, now);
            return;
        }

        if (_budgets.RefuseConnection(mapped.Name) is { } tooMany)
        {
            session.State = PeerState.Handshaking;
            _writer.Refuse(session, 0, ErrorCode.LimitExceeded, tooMany, now);
            return;
        }

        session.Identity = mapped;
        Welcome(session, now);
    }

    private void Welcome(PeerSession session, long now)
    {
        session.PeerId = $"peer-{++_lastPeerNumber}";
        session.State = PeerState.Ready;
        _budgets.Join(session);
        session.HandshakeDeadline = long.MaxValue;
        _sink.Established(session);
        PublisherCredit.Reset(session, _options.PublisherCreditBytes);
        Dictionary<string, object?> settings = _welcomeSettings;
        if (session.Identity is not null)
        {
            settings = new Dictionary<string, object?>(_welcomeSettings, StringComparer.Ordinal) { ["identity"] = session.Identity.Name };
        }

        MessagePackWriter w = _writer.Begin(session);
        CommandWriter.WriteWelcome(ref w, session.Version, session.PeerId, settings);
        _writer.End(session, ref w, now);
        LogPeerReady(session.Name, session.PeerId, session.Source, session.Identity?.Name ?? "-");
        _events.Connected(session, now);
    }

    /// <summary>
    /// The policy file changed: live sessions get the new permissions at once. A peer whose identity is gone or
    /// whose key changed is disconnected; subscriptions and services no longer allowed are removed, and the peer
    /// is told with REVOKED. A broken file is logged and the old policy stays.
    /// </summary>
    private void ReloadPolicy(long now)
    {
        SecurityPolicy policy;
        try
        {
            policy = SecurityPolicy.Load(_policyWatcher!.Path);
        }
        catch (InvalidDataException ex)
        {
            LogPolicyRejected(ex.Message);
            return;
        }

        _auth!.Policy = policy;
        foreach (PeerSession session in _sessions.Values.ToArray())
        {
            if (session.Identity is not { } old)
            {
                continue;
            }

            // A local peer keeps its session only while the new policy still maps it to the same identity.
            PolicyIdentity? current = session.IsLocal
                ? policy.MapLocal(session.Local, out _) is { } remapped && remapped.Name == old.Name ? remapped : null
                : policy.Find(old.Name);
            if (current is null || (!session.IsLocal && current.PublicKeyText != old.PublicKeyText))
            {
                MessagePackWriter w = _writer.Begin(session);
                CommandWriter.WriteBye(ref w, $"the credentials of identity '{old.Name}' were revoked");
                _writer.End(session, ref w, now);
                _writer.FlushAll(now);
                Close(session, "its credentials were revoked", now);
                continue;
            }

            session.Identity = current;
            _pubSub.Revoke(session, now);
            _requests.Revoke(session, now);
        }

        LogPolicyReloaded(policy.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {Name} ({PeerId}) connected from {Address}, identity {Identity}")]
    private partial void LogPeerReady(string name, string peerId, string address, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Security policy reloaded: {Identities} identities; live peers now have the new permissions")]
    private partial void LogPolicyReloaded(int identities);

    [LoggerMessage(Level = LogLevel.Error, Message = "Security policy not reloaded, the previous one stays in force: {Problem}")]
    private partial void LogPolicyRejected(string problem);
}
