using Mq.Broker.Persistence;

namespace Mq.StoreBenchmarks;

/// <summary>Mq.Broker.Persistence's own segment files, through its public API (its writer loop does the group commit).</summary>
internal sealed class SegmentStore : IBenchStore
{
    private readonly FileMessageStore _store;
    private readonly IStreamStore _stream;

    private SegmentStore(FileMessageStore store, IStreamStore stream)
    {
        _store = store;
        _stream = stream;
    }

    public static async Task<SegmentStore> OpenAsync(string directory, int? syncEveryMs)
    {
        FileMessageStore store = await FileMessageStore.OpenAsync(new FileStoreOptions { Directory = directory });
        IStreamStore stream = await store.OpenStreamAsync(new StreamOptions
        {
            Name = "bench",
            Fsync = syncEveryMs is { } every ? FsyncPolicy.EveryMs(every) : FsyncPolicy.Always,
        });
        return new SegmentStore(store, stream);
    }

    public async ValueTask AppendAsync(byte[] payload) => await _stream.AppendAsync(new StreamMessage("bench.store", default, payload));

    public async ValueTask<long> ReplayAsync()
    {
        long count = 0;
        ulong next = 1;
        while (true)
        {
            IReadOnlyList<StoredMessage> batch = await _stream.ReadAsync(next, 1000);
            if (batch.Count == 0)
                return count;
            count += batch.Count;
            next = batch[^1].Sequence + 1;
        }
    }

    public ValueTask DisposeAsync() => _store.DisposeAsync();
}
