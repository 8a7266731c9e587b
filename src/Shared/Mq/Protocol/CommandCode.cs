namespace Mq.Protocol;

/// <summary>
/// The first element of every command array. Numbers are part of the wire format: never renumber or reuse one.
/// See docs/protocol.md for each command's fields.
/// </summary>
public enum CommandCode : byte
{
    /// <summary>Broker to peer, sent by ZeroMQ itself on every new connection: asks the peer to (re)handshake.</summary>
    Connected = 1,
    Hello = 2,
    Welcome = 3,
    Heartbeat = 4,
    Bye = 5,
    Ok = 6,
    Error = 7,
    /// <summary>Peer to broker: answered with OK once every command sent before it has been processed.</summary>
    Ping = 8,
    /// <summary>Broker to peer, when security is on: a fresh nonce the peer must sign to prove its identity.</summary>
    Challenge = 9,

    Pub = 10,
    Sub = 11,
    Unsub = 12,
    Msg = 13,
    /// <summary>Broker to peer: messages for a subscription were dropped because the peer's queue was full.</summary>
    Dropped = 14,
    /// <summary>Broker to peer: how many bytes of PUB commands the peer may have sent in this session, in all.</summary>
    Credit = 15,
    /// <summary>Peer to broker: the application consumed this many more messages of a flow-controlled subscription.</summary>
    Ack = 16,
    /// <summary>Peer to broker: the identity it claims and its signature over the challenge.</summary>
    Auth = 17,
    /// <summary>Broker to peer: a subscription or service was removed because the peer's permissions changed.</summary>
    Revoked = 18,
    /// <summary>Both ways, in plaintext: a message of the secure channel's handshake (docs/protocol.md section 13).</summary>
    Secure = 19,

    Serve = 20,
    Unserve = 21,
    Req = 22,
    Request = 23,
    Rep = 24,
    Reply = 25,
}
