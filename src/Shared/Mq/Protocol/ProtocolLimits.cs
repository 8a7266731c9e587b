namespace Mq.Protocol;

/// <summary>Fixed limits of protocol version 1. Configurable limits (payload size, heartbeats) live in options.</summary>
public static class ProtocolLimits
{
    /// <summary>Longest subject, service name or pattern in UTF-8 bytes.</summary>
    public const int MaxSubjectBytes = 256;

    /// <summary>Largest header block (the encoded map) in bytes.</summary>
    public const int MaxHeaderBytes = 16 * 1024;

    /// <summary>Longest peer name or queue group name in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 128;

    /// <summary>
    /// Senders close a batch frame once it holds this many bytes; a single larger command travels alone.
    /// Large enough to amortise NetMQ's per-frame cost, small enough to keep latency low.
    /// </summary>
    public const int BatchBytes = 64 * 1024;

    /// <summary>What the envelope of one command may add to its payload: subject, headers, ids.</summary>
    public const int EnvelopeAllowance = MaxHeaderBytes + MaxSubjectBytes + 1024;

    /// <summary>Default largest payload, announced by the broker in WELCOME.</summary>
    public const int DefaultMaxPayloadBytes = 1024 * 1024;

    /// <summary>What the secure channel adds to every frame: its authentication tag.</summary>
    public const int ChannelOverhead = 16;

    /// <summary>The largest frame a side must accept for a given payload limit (plus <see cref="ChannelOverhead"/> on an encrypted connection).</summary>
    public static long MaxFrameBytes(int maxPayloadBytes) => Math.Max(BatchBytes, (long)maxPayloadBytes) + EnvelopeAllowance;
}
