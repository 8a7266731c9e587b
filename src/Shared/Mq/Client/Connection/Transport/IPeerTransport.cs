namespace Mq.Client.Connection.Transport;

/// <summary>
/// The bytes under a <see cref="PeerConnection"/>: one connection to the broker that carries single-frame ZeroMQ
/// messages. Everything is called on the connection's poller thread, except <see cref="Connect"/> the first time
/// (before the poller runs) and <see cref="IDisposable.Dispose"/> (after it stopped). Frames that arrive go to the
/// <see cref="IPeerTransportSink"/>. Like a ZeroMQ socket, a transport reconnects by itself when the connection
/// breaks, until <see cref="Disconnect"/>.
/// </summary>
internal interface IPeerTransport : IDisposable
{
    /// <summary>Connects to <paramref name="endpoint"/>, now or in the background, and keeps reconnecting after a loss.</summary>
    void Connect(string endpoint);

    /// <summary>Drops the connection, with nothing sent on it again, until the next <see cref="Connect"/>.</summary>
    void Disconnect();

    /// <summary>
    /// Hands over one frame the caller gives up (the transport may keep the array). False when the transport's
    /// queue is full: the caller holds the frame and tries again later, in order.
    /// </summary>
    bool TrySend(byte[] frame);

    /// <summary>As <see cref="TrySend(byte[])"/> for memory the caller reuses: the transport copies it.</summary>
    bool TrySend(ReadOnlySpan<byte> frame);

    /// <summary>True when <see cref="TrySend(ReadOnlySpan{byte})"/> copies into a buffer of its own rather than a new array.</summary>
    bool BuffersSpans { get; }

    /// <summary>Pushes out what the sends since the last flush queued (the stream transport's one send call per batch).</summary>
    void Flush();

    /// <summary>
    /// True when another thread may send (<see cref="TrySend(ReadOnlySpan{byte})"/>, then <see cref="TryFlush"/>)
    /// while it holds the connection's socket lock, which the poller thread holds in every handler: a .NET socket
    /// may be written from any thread, a NetMQ socket only from its own.
    /// </summary>
    bool SendsInline { get; }

    /// <summary>
    /// The flush of a send from another thread: true if the kernel took every queued byte at once; otherwise the
    /// bytes stay queued for the poller thread's <see cref="Flush"/>, which owns the retry timer and the connection's loss.
    /// </summary>
    bool TryFlush();

    /// <summary>Why the last connection attempt failed or the last connection ended, or null (for the connect timeout's error).</summary>
    string? LastFailure { get; }
}
