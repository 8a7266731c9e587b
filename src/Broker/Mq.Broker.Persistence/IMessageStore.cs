namespace Mq.Broker.Persistence;

/// <summary>
/// The broker's storage: a set of named streams. <see cref="FileMessageStore"/> keeps them in local segment files;
/// a replicated store (JetStream over a NATS cluster) is meant to implement the same interface.
/// </summary>
public interface IMessageStore : IAsyncDisposable
{
    /// <summary>Opens the stream, creating it if new; opening an open stream returns the same instance.</summary>
    ValueTask<IStreamStore> OpenStreamAsync(StreamOptions options, CancellationToken cancellationToken = default);

    /// <summary>The names of the streams stored, open or not.</summary>
    ValueTask<IReadOnlyList<string>> ListStreamsAsync(CancellationToken cancellationToken = default);

    /// <summary>Closes the stream if open and deletes its messages and consumer positions; false if there was none.</summary>
    ValueTask<bool> DeleteStreamAsync(string name, CancellationToken cancellationToken = default);
}
