using System.Text;
using System.Threading.Channels;

namespace Mq.StoreBenchmarks;

/// <summary>
/// Group commit for engines that do not have their own: one loop drains every waiting append into one batch,
/// writes it (synced for Always) and acknowledges; for EveryMs it writes unsynced and syncs at most every interval.
/// The same shape as Mq.Broker.Persistence's writer loop, so the engines are compared, not the batching.
/// </summary>
internal sealed class GroupCommitStore : IBenchStore
{
    private static readonly byte[] Subject = Encoding.UTF8.GetBytes("bench.store");

    private readonly Channel<(byte[] Payload, TaskCompletionSource Done)> _appends =
        Channel.CreateBounded<(byte[], TaskCompletionSource)>(new BoundedChannelOptions(4096) { SingleReader = true });
    private readonly IBatchEngine _engine;
    private readonly int? _syncEveryMs;
    private readonly Task _loop;
    private ulong _next = 1;

    public GroupCommitStore(IBatchEngine engine, int? syncEveryMs)
    {
        _engine = engine;
        _syncEveryMs = syncEveryMs;
        _loop = Task.Run(RunAsync);
    }

    public async ValueTask AppendAsync(byte[] payload)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _appends.Writer.WriteAsync((payload, done));
        await done.Task;
    }

    public ValueTask<long> ReplayAsync() => ValueTask.FromResult(_engine.ReadAll());

    public async ValueTask DisposeAsync()
    {
        _appends.Writer.TryComplete();
        await _loop;
        _engine.Dispose();
    }

    /// <summary>A record as the segment store frames it, less the checksum: timestamp, subject, payload.</summary>
    public static byte[] Encode(byte[] payload)
    {
        byte[] record = new byte[8 + 2 + Subject.Length + payload.Length];
        BitConverter.TryWriteBytes(record, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        BitConverter.TryWriteBytes(record.AsSpan(8), (ushort)Subject.Length);
        Subject.CopyTo(record, 10);
        payload.CopyTo(record, 10 + Subject.Length);
        return record;
    }

    private async Task RunAsync()
    {
        var batch = new List<byte[]>();
        var waiting = new List<TaskCompletionSource>();
        long lastSync = Environment.TickCount64;
        bool dirty = false;
        while (await _appends.Reader.WaitToReadAsync())
        {
            while (batch.Count < 4096 && _appends.Reader.TryRead(out var append))
            {
                batch.Add(Encode(append.Payload));
                waiting.Add(append.Done);
            }
            bool syncNow = _syncEveryMs is not { } every || Environment.TickCount64 - lastSync >= every;
            await _engine.WriteAsync(batch, _next, sync: _syncEveryMs is null);
            _next += (ulong)batch.Count;
            dirty = _syncEveryMs is not null;
            if (dirty && syncNow)
            {
                await _engine.SyncAsync();
                lastSync = Environment.TickCount64;
                dirty = false;
            }
            waiting.ForEach(done => done.TrySetResult());
            batch.Clear();
            waiting.Clear();
        }
        if (dirty)
            await _engine.SyncAsync();
    }
}
