namespace Mq.StoreBenchmarks;

/// <summary>
/// A thin adapter over a third-party engine: write a batch (made durable when <paramref name="sync"/>), make what
/// was written durable, and read everything back. <see cref="GroupCommitStore"/> supplies the group commit.
/// </summary>
internal interface IBatchEngine : IDisposable
{
    string Name { get; }

    ValueTask WriteAsync(IReadOnlyList<byte[]> records, ulong firstSequence, bool sync);

    ValueTask SyncAsync();

    /// <summary>Reads every record from the start and returns how many there were.</summary>
    long ReadAll();
}
