namespace Mq.Protocol;

/// <summary>
/// Error codes carried by ERROR commands and by the status field of REP/REPLY (0 means success there).
/// Numbers are part of the wire format.
/// </summary>
public enum ErrorCode : ushort
{
    None = 0,
    /// <summary>The frame or command could not be parsed, or a field has the wrong type.</summary>
    Malformed = 1,
    /// <summary>HELLO named a protocol version the broker does not speak.</summary>
    UnsupportedVersion = 2,
    /// <summary>A command other than HELLO arrived on a connection without a session.</summary>
    HandshakeRequired = 3,
    UnknownCommand = 4,
    InvalidSubject = 5,
    /// <summary>A message, subject or header block is larger than the broker accepts.</summary>
    TooLarge = 6,
    /// <summary>A per-peer limit (subscriptions, services, requests in flight) was reached.</summary>
    LimitExceeded = 7,
    /// <summary>SUB reused a subscription id, or UNSUB/UNSERVE named one that does not exist.</summary>
    Conflict = 8,
    NoResponders = 9,
    ResponderLost = 10,
    Timeout = 11,
    /// <summary>The serving peer's handler failed; the message says why.</summary>
    RemoteError = 12,
    /// <summary>A REP named a request this peer does not hold (never made, already answered, expired, or another peer's).</summary>
    UnknownRequest = 13,
    /// <summary>The serving peer cannot take more requests right now.</summary>
    Overloaded = 14,
    PermissionDenied = 15,
    /// <summary>Authentication failed or is required.</summary>
    Unauthenticated = 16,
    ShuttingDown = 17,
    /// <summary>The broker has a key: nothing but SECURE is accepted before the secure channel is up.</summary>
    EncryptionRequired = 18,
    /// <summary>No stream captures the subject of a durable publish, or a stream named in CONSUME or an admin request does not exist.</summary>
    NoStream = 19,
    /// <summary>A stream whose limits refuse new messages (discard new) is full: the message was not stored.</summary>
    StreamFull = 20,
    /// <summary>The broker's store could not write (disk full, read-only, I/O error): the message was not stored; what was stored is kept.</summary>
    StoreFailed = 21,
}
