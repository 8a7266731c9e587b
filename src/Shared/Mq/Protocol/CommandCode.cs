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

    /// <summary>Peer to broker: the requester gives up its open request <c>rid</c>; the broker aborts it at the server.</summary>
    Cancel = 26,
    /// <summary>Broker to peer: request <c>bid</c> is over (cancelled, expired, or its requester left): stop working on it, send no REP.</summary>
    Abort = 27,
    /// <summary>Peer to broker: one streamed part of the reply to request <c>bid</c>, within the requester's credit.</summary>
    RepPart = 28,
    /// <summary>Broker to peer: one streamed part of the reply to this peer's request <c>rid</c>.</summary>
    ReplyPart = 29,
    /// <summary>Peer to broker: the requester consumed <c>count</c> more parts of its streamed request <c>rid</c>.</summary>
    Grant = 30,
    /// <summary>Broker to peer: the server may send <c>count</c> more parts for request <c>bid</c>.</summary>
    Granted = 31,
    /// <summary>Peer to broker: scatter-gather, a request for every server of a service (answered with GATHERED each, then REPLY).</summary>
    ReqAll = 32,
    /// <summary>Broker to peer: one server's answer to this peer's scatter-gather request <c>rid</c>, naming the server.</summary>
    Gathered = 33,

    /// <summary>Peer to broker: a PUB that asks for a durable acknowledgement (STORED or ERROR with its <c>ref</c>) once a stream stored it.</summary>
    DurablePub = 34,
    /// <summary>Broker to peer: the durable publish <c>ref</c> is stored in a stream at a sequence (or was a duplicate of one).</summary>
    Stored = 35,
    /// <summary>Peer to broker: subscription <c>sid</c> reads a stream from a start, stored messages first, then live ones (flow-controlled).</summary>
    Consume = 36,
    /// <summary>Peer to broker: a durable consumer acknowledges the message of stream sequence <c>stream_seq</c> on <c>sid</c>.</summary>
    StreamAck = 37,
}
