using FASTER.core;

namespace Mq.StoreBenchmarks;

/// <summary>FasterLog with per-entry checksums: Enqueue then a commit (which flushes the device and writes commit metadata).</summary>
internal sealed class FasterEngine : IBatchEngine
{
    private readonly FasterLogSettings _settings;
    private readonly FasterLog _log;

    public FasterEngine(string directory)
    {
        Directory.CreateDirectory(directory);
        _settings = new FasterLogSettings(directory) { LogChecksum = LogChecksumType.PerEntry, AutoRefreshSafeTailAddress = true };
        _log = new FasterLog(_settings);
    }

    public string Name => "faster-log";

    public void Write(IReadOnlyList<byte[]> records, ulong firstSequence, bool sync)
    {
        for (int i = 0; i < records.Count; i++)
            _log.Enqueue(records[i]);
        if (sync)
            _log.Commit(spinWait: true);
    }

    public void Sync() => _log.Commit(spinWait: true);

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
