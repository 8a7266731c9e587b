using MessagePack;
using Microsoft.Extensions.Logging;
using Mq.Errors;
using Mq.Protocol;
using ErrorCode = Mq.Protocol.ErrorCode;

namespace Mq.Client.Connection;

/// <summary>
/// The session side of a connection, on the socket thread: CONNECTED, the handshake (HELLO, CHALLENGE/AUTH,
/// WELCOME), the broker's session errors, and restoring subscriptions and services on a new session.
/// </summary>
internal sealed partial class PeerConnection
{
    private void OnConnected(ref CommandReader reader, ReadOnlyMemory<byte> frame)
    {
        List<int> versions = reader.ReadIntArray(64);
        reader.ReadString(ProtocolLimits.MaxNameBytes);
        reader.EndCommand();

        // A new connection: whatever session the broker had for us is gone.
        LoseSession("the broker connection was (re)established");
        int version = versions.Where(ProtocolVersion.Supported.Contains).DefaultIfEmpty(0).Max();
        if (version == 0)
        {
            var error = new MqException(ErrorCode.UnsupportedVersion,
                $"the broker speaks protocol versions {string.Join(", ", versions)}; this client speaks {string.Join(", ", ProtocolVersion.Supported)}");
            _firstSession.TrySetException(error);
            _asyncError(error);
            return;
        }

        SetState(ConnectionState.Connecting, "handshaking");
        _version = version;
        if (_channel is null)
        {
            SendHello();
        }
        else
        {
            StartChannel(frame.Span);
        }
    }

    private void SendHello() =>
        _sender.SendDirect(
            static (ref MessagePackWriter w, in (int Version, string Name) s) => CommandWriter.WriteHello(ref w, s.Version, s.Name, null),
            (_version, _options.Name));

    private void OnWelcome(ref CommandReader reader)
    {
        int version = (int)reader.ReadUInt();
        string peerId = reader.ReadString(ProtocolLimits.MaxNameBytes);
        Dictionary<string, object?> settings = reader.ReadSettings();
        reader.EndCommand();

        var session = new SessionInfo(
            version,
            peerId,
            settings.GetValueOrDefault("broker") as string ?? "?",
            Setting(settings, "heartbeat_ms", 1000),
            Setting(settings, "timeout_ms", 3000),
            (int)Math.Min(Setting(settings, "max_payload", ProtocolLimits.DefaultMaxPayloadBytes), _options.MaxPayloadBytes));
        Volatile.Write(ref _session, session);

        // A broker that announces no credit does not do publisher flow control.
        _sender.StartSession(Setting(settings, "credit", long.MaxValue));
        if (_hadSession)
        {
            Restore();
            int replayed = _sender.Replay();
            if (replayed > 0)
            {
                LogReplayed(replayed);
            }
        }

        _hadSession = true;
        SetState(ConnectionState.Connected, $"session {peerId} with broker {session.Broker}");
        _firstSession.TrySetResult(session);
    }

    /// <summary>The broker has a security policy: prove the configured identity by signing its one-time nonce.</summary>
    private void OnChallenge(ref CommandReader reader)
    {
        byte[] nonce = reader.ReadBinary().ToArray();
        reader.EndCommand();
        if (_identityKey is null)
        {
            var error = new UnauthenticatedException("the broker requires an authenticated identity: set Identity and IdentityKeyFile (or IdentityKey) in the client options");
            _firstSession.TrySetException(error);
            _asyncError(error);
            return;
        }

        // Without a channel there is nothing to bind the proof to, and a broker with a policy always has one.
        if (_channel?.Channel is not { } channel)
        {
            var error = new UnauthenticatedException("the broker asked for an identity proof outside the secure channel: set BrokerPublicKey to the broker's public key");
            _firstSession.TrySetException(error);
            _asyncError(error);
            return;
        }

        byte[] signature = Security.IdentityProof.Sign(_identityKey, channel.HandshakeHash, nonce, _options.Identity!);
        _sender.SendDirect(
            static (ref MessagePackWriter w, in (string Identity, byte[] Signature) s) => CommandWriter.WriteAuth(ref w, s.Identity, s.Signature),
            (_options.Identity!, signature));
    }

    private void OnError(ref CommandReader reader)
    {
        ulong reference = reader.ReadUInt();
        var code = (ErrorCode)reader.ReadUInt();
        string message = reader.ReadString(ProtocolLimits.MaxHeaderBytes);
        // Brokers before the fifth field did not name the command; 0 then means "unknown".
        var command = reader.HasMoreFields ? (CommandCode)Math.Min(reader.ReadUInt(), byte.MaxValue) : 0;
        reader.EndCommand();

        if (code == ErrorCode.HandshakeRequired && State == ConnectionState.Connected)
        {
            // The broker no longer knows this connection (it restarted, or forgot us): start over.
            LoseSession(message);
            SetState(ConnectionState.Connecting, "handshaking after the broker forgot this session");
            SendHello();
            return;
        }

        if (code == ErrorCode.HandshakeRequired)
        {
            // Commands that reached a new broker ahead of our HELLO: the publishes among them are replayed
            // once the session is up, and the rest failed their callers when the old session was lost.
            return;
        }

        // Refusals of the handshake itself (LimitExceeded: the identity has all the sessions it may have).
        if (code is ErrorCode.UnsupportedVersion or ErrorCode.Unauthenticated or ErrorCode.LimitExceeded or ErrorCode.EncryptionRequired && State != ConnectionState.Connected)
        {
            MqException error = MqException.FromCode(code, message);
            _firstSession.TrySetException(error);
            if (_hadSession)
            {
                // Reconnected but no longer admitted (credentials revoked): nobody awaits a first session now.
                _asyncError(error);
            }
        }

        if (command is CommandCode.Rep or CommandCode.RepPart)
        {
            // The ref is the broker's bid: a refused part ended that request at the broker.
            _inbound.AbortServing(reference);
        }

        if (code == ErrorCode.UnknownRequest && command is CommandCode.RepPart or CommandCode.Cancel or CommandCode.Grant)
        {
            // A race, not a fault: the request ended (its ABORT or REPLY crossed this command) before the broker read it.
            return;
        }

        _inbound.Error(command is CommandCode.Rep or CommandCode.RepPart ? 0 : reference, code, message);
    }

    /// <summary>
    /// Re-subscribes and re-serves, on a new session, everything the broker had confirmed, before any queued
    /// command goes out. Unconfirmed ones were failed when the session was lost, or are still queued.
    /// </summary>
    private void Restore()
    {
        foreach (MqSubscription subscription in _tables.Subscriptions.Values.Where(s => s.Confirmed))
        {
            subscription.NewSession();
            _inbound.Forget(subscription.Sid);
            // A flow-controlled one needs its OK: the new broker may grant another window.
            ulong reference = subscription.FlowControl ? _tables.Pending.AddCallback(subscription.OnConfirmed) : 0;
            _sender.SendDirect(
                static (ref MessagePackWriter w, in (ulong Reference, MqSubscription Sub) s) => s.Sub.WriteSubscribe(ref w, s.Reference),
                (reference, subscription));
        }

        foreach (MqService service in _tables.Services.Values.Where(s => s.Confirmed))
        {
            _sender.SendDirect(static (ref MessagePackWriter w, in string s) => CommandWriter.WriteServe(ref w, 0, s), service.Name);
        }

        LogRestored(_tables.Subscriptions.Count, _tables.Services.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored {Subscriptions} subscriptions and {Services} services on the new session")]
    private partial void LogRestored(int subscriptions, int services);

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-sent {Bytes} bytes of publishes the lost session had not confirmed")]
    private partial void LogReplayed(int bytes);
}
