namespace Mq.Benchmarks;

/// <summary>
/// A system's durable streams, through its own client's idiomatic API: the durable workloads (D1, D2) are written
/// once against this, so Mq and NATS JetStream run exactly the same loops.
/// </summary>
internal interface IBenchDurable : IAsyncDisposable
{
    /// <summary>Creates (or recreates, empty) a file-backed stream capturing <paramref name="subject"/>.</summary>
    ValueTask CreateStreamAsync(string stream, string subject, CancellationToken cancellationToken);

    /// <summary>Publishes and returns the stream sequence once the server acknowledged it as stored.</summary>
    ValueTask<ulong> PublishDurableAsync(string subject, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the stream from its first message until <paramref name="count"/> have arrived; returns how many came in
    /// stream order (each sequence one above the last), which is all of them when nothing is lost or reordered.
    /// </summary>
    Task<long> ReplayAsync(string stream, long count, CancellationToken cancellationToken);

    ValueTask DeleteStreamAsync(string stream, CancellationToken cancellationToken);
}
