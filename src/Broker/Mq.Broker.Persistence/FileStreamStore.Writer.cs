using Microsoft.Extensions.Logging;

namespace Mq.Broker.Persistence;

/// <summary>The writer loop: the only code that writes the files. A draft of the state runs ahead of what is published.</summary>
internal sealed partial class FileStreamStore
{
    private readonly List<IndexEntry> _pendingEntries = [];
    private readonly List<(WriteRequest Request, ulong First)> _pendingAcks = [];
    private byte[] _buffer = new byte[256 * 1024];
    private int _buffered;
    private ulong _draftLast;
    private long _draftBytes;
    private long _draftTimestamp;
    private long _pendingFirstTimestamp;
    private long _lastSync;
    private bool _dirty;
    private StoreWriteException? _faulted;

    private async Task RunWriterAsync()
    {
        var batch = new List<WriteRequest>();
        while (await _requests.Reader.WaitToReadAsync())
        {
            while (batch.Count < 4096 && _requests.Reader.TryRead(out WriteRequest? request))
                batch.Add(request);
            try
            {
                Commit(batch);
            }
            catch (Exception exception)
            {
                // A failure the write paths do not handle must not end the loop with appends left waiting forever.
                _faulted ??= new StoreWriteException(Active.Path, exception);
                _logger.LogError(exception, "Stream {Stream} failed and refuses appends until reopened", Name);
                foreach (WriteRequest request in batch)
                    request.Completion?.TrySetException(_faulted);
                _pendingAcks.Clear();
                _pendingEntries.Clear();
                _buffered = 0;
                ResetDraft();
            }
            batch.Clear();
        }
        SyncIfDirty();
    }

    private void Commit(List<WriteRequest> batch)
    {
        bool tick = false;
        foreach (WriteRequest request in batch)
        {
            switch (request.Kind)
            {
                case WriteKind.Append:
                    Stage(request);
                    break;
                case WriteKind.Purge:
                    Flush();
                    Purge(request);
                    break;
                default:
                    tick = true;
                    break;
            }
        }
        Flush();
        if (tick)
            OnTick();
    }

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void Stage(WriteRequest request)
    {
        if (request.CancellationToken.IsCancellationRequested)
        {
            request.Completion!.TrySetCanceled(request.CancellationToken);
            return;
        }
        if ((_faulted ?? (Exception?)RefusedByLimits(request)) is { } refusal)
        {
            request.Completion!.TrySetException(refusal);
            return;
        }
        if (Active.Length + _buffered + request.Bytes > Options.SegmentBytes && Active.Entries.Count + _pendingEntries.Count > 0)
        {
            Flush();
            try
            {
                Roll();
            }
            catch (Exception exception) when (IsRefusedWrite(exception))
            {
                request.Completion!.TrySetException(new StoreWriteException(_directory, exception));
                return;
            }
        }
        if (_buffered + request.Bytes > _buffer.Length)
            Array.Resize(ref _buffer, (int)Math.Max(_buffer.Length * 2L, _buffered + request.Bytes));
        long timestamp = Math.Max(Now, _draftTimestamp);
        if (_pendingEntries.Count == 0)
            _pendingFirstTimestamp = timestamp;
        ulong first = _draftLast + 1;
        for (int i = 0; i < request.Count; i++)
        {
            StreamMessage message = request[i];
            int length = RecordCodec.Write(_buffer.AsSpan(_buffered), RecordKind.Message, ++_draftLast, timestamp,
                message.Subject, message.Headers.Span, message.Payload.Span);
            _pendingEntries.Add(new IndexEntry((int)(Active.Length + _buffered), length));
            _buffered += length;
            _draftBytes += length;
        }
        _draftTimestamp = timestamp;
        _pendingAcks.Add((request, first));
    }

    private StreamFullException? RefusedByLimits(WriteRequest request)
    {
        StreamLimits limits = Options.Limits;
        if (limits.Discard != DiscardPolicy.New)
            return null;
        long messages = (long)(_draftLast + 1 - _first);
        if (messages + request.Count > limits.MaxMessages)
            return new StreamFullException(Name, $"MaxMessages {limits.MaxMessages}");
        if (_draftBytes + request.Bytes > limits.MaxBytes)
            return new StreamFullException(Name, $"MaxBytes {limits.MaxBytes}");
        return null;
    }

    /// <summary>Writes what is staged, fsyncs per the policy, publishes it and only then acknowledges.</summary>
    private void Flush()
    {
        if (_buffered == 0)
            return;
        Segment active = Active;
        long start = active.Length;
        try
        {
            active.Writer!.Write(_buffer, 0, _buffered);
            if (Options.Fsync.Interval is not { } interval || Now - _lastSync >= (long)interval.TotalMilliseconds)
                Sync(active);
            else
                _dirty = true;
        }
        catch (Exception exception) when (IsRefusedWrite(exception))
        {
            Rollback(active, start, exception);
            return;
        }
        lock (_lock)
        {
            if (active.Entries.Count == 0)
                active.FirstTimestamp = _pendingFirstTimestamp;
            active.Entries.AddRange(_pendingEntries);
            active.Length += _buffered;
            active.LastTimestamp = _draftTimestamp;
            _last = _draftLast;
            _bytes = _draftBytes;
            _lastTimestamp = _draftTimestamp;
        }
        foreach ((WriteRequest request, ulong first) in _pendingAcks)
            request.Completion!.TrySetResult(first);
        _buffered = 0;
        _pendingEntries.Clear();
        _pendingAcks.Clear();
        if (DiscardOld(Now))
            WriteFloor(_first, sync: false);
    }

    /// <summary>Cuts the partial write off, so the file ends with the last acknowledged record, and fails the appends.</summary>
    private void Rollback(Segment active, long start, Exception exception)
    {
        var error = new StoreWriteException(active.Path, exception);
        try
        {
            active.Writer!.SetLength(start);
            active.Writer.Position = start;
        }
        catch (IOException truncateError)
        {
            // The torn bytes stay until the next open cuts them off; until then nothing more may be appended after them.
            _faulted = error;
            _logger.LogError(truncateError, "Could not cut a failed write off {Path}; stream {Stream} refuses appends until reopened", active.Path, Name);
        }
        _logger.LogWarning(exception, "Append to stream {Stream} failed; nothing of it was stored", Name);
        foreach ((WriteRequest request, _) in _pendingAcks)
            request.Completion!.TrySetException(error);
        _pendingAcks.Clear();
        _pendingEntries.Clear();
        _buffered = 0;
        ResetDraft();
    }

    /// <summary>
    /// The disk refused: full, read-only, failing (IOException), or a write past the file size limit (EFBIG), which
    /// .NET reports as ArgumentOutOfRangeException.
    /// </summary>
    internal static bool IsRefusedWrite(Exception exception) => exception is IOException or ArgumentOutOfRangeException;

    private void ResetDraft()
    {
        _draftLast = _last;
        _draftBytes = _bytes;
        _draftTimestamp = _lastTimestamp;
    }

    private void Sync(Segment segment)
    {
        NativeSync.FlushToDisk(segment.Writer!);
        _lastSync = Now;
        _dirty = false;
    }

    private void SyncIfDirty()
    {
        if (!_dirty)
            return;
        try
        {
            Sync(Active);
        }
        catch (Exception exception) when (IsRefusedWrite(exception))
        {
            _logger.LogError(exception, "fsync of {Path} failed", Active.Path);
        }
    }

    private void OnTick()
    {
        SyncIfDirty();
        if (Options.Limits.MaxAge is not null && DiscardOld(Now))
            WriteFloor(_first, sync: false);
    }

    private void Roll()
    {
        Segment sealedSegment = Active;
        sealedSegment.Seal();
        Segment next = Segment.Open(Path.Combine(_directory, Segment.FileName(_last + 1)), _last + 1);
        next.OpenWriter();
        lock (_lock)
            _segments.Add(next);
    }

    /// <summary>Records that the stream now starts at <paramref name="floor"/>, so what limits or purge removed stays removed.</summary>
    private bool WriteFloor(ulong floor, bool sync)
    {
        Segment active = Active;
        Span<byte> record = stackalloc byte[RecordCodec.FrameSize];
        RecordCodec.Write(record, RecordKind.Floor, floor, Now, "", default, default);
        try
        {
            active.Writer!.Write(record);
            if (sync)
                Sync(active);
            else
                _dirty = true;
        }
        catch (Exception exception) when (IsRefusedWrite(exception))
        {
            Rollback(active, active.Length, exception);
            return false;
        }
        lock (_lock)
            active.Length += record.Length;
        return true;
    }

    private void Purge(WriteRequest request)
    {
        ulong purged = _last + 1 - _first;
        if (!WriteFloor(_last + 1, sync: true))
        {
            request.Completion!.TrySetException(new StoreWriteException(Active.Path, new IOException("the purge could not be recorded")));
            return;
        }
        lock (_lock)
        {
            _first = _last + 1;
            _bytes = 0;
        }
        ResetDraft();
        if (Active.Entries.Count > 0)
            Roll();
        lock (_lock)
            RetireBelowFloor();
        request.Completion!.TrySetResult(purged);
    }
}
