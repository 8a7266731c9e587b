using System.Buffers.Binary;
using RocksDbSharp;

namespace Mq.StoreBenchmarks;

/// <summary>RocksDB with big-endian sequence keys: a synced WriteBatch for Always; unsynced batches and a synced marker write to fsync the WAL.</summary>
internal sealed class RocksEngine : IBatchEngine
{
    private static readonly byte[] SyncKey = [0xFF];

    private readonly RocksDb _db;
    private readonly WriteOptions _synced = new WriteOptions().SetSync(true);
    private readonly WriteOptions _unsynced = new WriteOptions().SetSync(false);

    public RocksEngine(string directory)
    {
        Directory.CreateDirectory(directory);
        _db = RocksDb.Open(new DbOptions().SetCreateIfMissing(true), directory);
    }

    public string Name => "rocksdb";

    public ValueTask WriteAsync(IReadOnlyList<byte[]> records, ulong firstSequence, bool sync)
    {
        using var batch = new WriteBatch();
        byte[] key = new byte[8];
        for (int i = 0; i < records.Count; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(key, firstSequence + (ulong)i);
            batch.Put(key, records[i]);
        }
        _db.Write(batch, sync ? _synced : _unsynced);
        return ValueTask.CompletedTask;
    }

    // A synced write fsyncs the WAL, and with it every unsynced write before it.
    public ValueTask SyncAsync()
    {
        _db.Put(SyncKey, SyncKey, writeOptions: _synced);
        return ValueTask.CompletedTask;
    }

    public long ReadAll()
    {
        using Iterator iterator = _db.NewIterator();
        long count = 0;
        for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
        {
            if (iterator.Key().Length == 8)
            {
                _ = iterator.Value();
                count++;
            }
        }
        return count;
    }

    public void Dispose() => _db.Dispose();
}
