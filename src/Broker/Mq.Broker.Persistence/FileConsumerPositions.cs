using Microsoft.Extensions.Logging;

namespace Mq.Broker.Persistence;

/// <summary>
/// Consumer positions as a log of checksummed records (the segment format), last record per name wins; each change
/// is written and fsync'd before it completes. When the log holds many more records than names, it is rewritten
/// to a temporary file, fsync'd and renamed over the log, so a crash leaves either the old log or the new one.
/// </summary>
internal sealed class FileConsumerPositions : IConsumerPositions, IAsyncDisposable
{
    private const int CompactAfter = 1024;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, ulong> _positions;
    private readonly string _path;
    private FileStream _log;
    private int _records;

    private FileConsumerPositions(string path, Dictionary<string, ulong> positions, int records, FileStream log)
    {
        _path = path;
        _positions = positions;
        _records = records;
        _log = log;
    }

    public static async Task<FileConsumerPositions> OpenAsync(string path, ILogger logger, CancellationToken cancellationToken)
    {
        var positions = new Dictionary<string, ulong>(StringComparer.Ordinal);
        int records = 0;
        byte[] data = File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellationToken) : [];
        int valid = RecordScanner.Scan(data, path, isTail: true, logger, (record, in header, offset) =>
        {
            string consumer = RecordCodec.Subject(record, header);
            if (header.Kind == RecordKind.PositionSet)
                positions[consumer] = header.Sequence;
            else if (header.Kind == RecordKind.PositionDelete)
                positions.Remove(consumer);
            else
                throw new StoreCorruptException(path, offset, $"a {header.Kind} record does not belong in a positions file");
            records++;
        });
        var log = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
        log.SetLength(valid);
        log.Position = valid;
        return new FileConsumerPositions(path, positions, records, log);
    }

    public async ValueTask<ulong?> GetAsync(string consumer, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _positions.TryGetValue(consumer, out ulong floor) ? floor : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<IReadOnlyDictionary<string, ulong>> GetAllAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return new Dictionary<string, ulong>(_positions, StringComparer.Ordinal);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask SetAsync(string consumer, ulong acknowledgedFloor, CancellationToken cancellationToken = default) =>
        await ChangeAsync(consumer, RecordKind.PositionSet, acknowledgedFloor, cancellationToken);

    public async ValueTask<bool> DeleteAsync(string consumer, CancellationToken cancellationToken = default) =>
        await ChangeAsync(consumer, RecordKind.PositionDelete, 0, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        await _log.DisposeAsync();
    }

    private async Task<bool> ChangeAsync(string consumer, RecordKind kind, ulong floor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumer);
        if (RecordCodec.SubjectBytes(consumer) > ushort.MaxValue)
            throw new ArgumentException($"A consumer name is at most {ushort.MaxValue} bytes of UTF-8.", nameof(consumer));
        await _gate.WaitAsync(cancellationToken);
        try
        {
            bool existed = _positions.ContainsKey(consumer);
            if (kind == RecordKind.PositionDelete && !existed)
                return false;
            long start = _log.Position;
            try
            {
                await _log.WriteAsync(Encode(kind, consumer, floor), cancellationToken);
                NativeSync.FlushToDisk(_log);
            }
            catch (Exception exception) when (FileStreamStore.IsRefusedWrite(exception))
            {
                _log.SetLength(start);
                _log.Position = start;
                throw new StoreWriteException(_path, exception);
            }
            if (kind == RecordKind.PositionSet)
                _positions[consumer] = floor;
            else
                _positions.Remove(consumer);
            if (++_records > CompactAfter && _records > 4 * _positions.Count)
                await CompactAsync(cancellationToken);
            return existed;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CompactAsync(CancellationToken cancellationToken)
    {
        string temporary = _path + ".tmp";
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            foreach ((string consumer, ulong floor) in _positions)
                await file.WriteAsync(Encode(RecordKind.PositionSet, consumer, floor), cancellationToken);
            file.Flush(flushToDisk: true);
        }
        await _log.DisposeAsync();
        File.Move(temporary, _path, overwrite: true);
        _log = new FileStream(_path, FileMode.Open, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
        _log.Position = _log.Length;
        _records = _positions.Count;
    }

    private static byte[] Encode(RecordKind kind, string consumer, ulong floor)
    {
        byte[] record = new byte[RecordCodec.Size(RecordCodec.SubjectBytes(consumer), 0, 0)];
        RecordCodec.Write(record, kind, floor, 0, consumer, default, default);
        return record;
    }
}
