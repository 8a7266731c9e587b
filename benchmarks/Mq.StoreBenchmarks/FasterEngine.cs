using FASTER.core;

namespace Mq.StoreBenchmarks;

/// <summary>FasterLog with per-entry checksums: Enqueue then a commit; fast commit mode keeps commit metadata in the log, not a file per commit.</summary>
internal sealed class FasterEngine : IBatchEngine
{
    private readonly FasterLogSettings _settings;
    private readonly FasterLog _log;

    public FasterEngine(string directory)
    {
        Directory.CreateDirectory(directory);
        _settings = new FasterLogSettings(directory) { LogChecksum = LogChecksumType.PerEntry, FastCommitMode = true };
        _log = new FasterLog(_settings);
    }

    public string Name => "faster-log";

    public async ValueTask WriteAsync(IReadOnlyList<byte[]> records, ulong firstSequence, bool sync)
    {
        for (int i = 0; i < records.Count; i++)
            _log.Enqueue(records[i]);
        if (sync)
            await _log.CommitAsync();
    }

    public ValueTask SyncAsync() => _log.CommitAsync();

    public long ReadAll()
    {
        _log.Commit(spinWait: true);
        using FasterLogScanIterator iterator = _log.Scan(_log.BeginAddress, _log.TailAddress);
        long count = 0;
        while (iterator.GetNext(out byte[] _, out int _, out long _))
            count++;
        return count;
    }

    public void Dispose()
    {
        _log.Dispose();
        _settings.Dispose();
    }
}
