using System.Buffers.Binary;

namespace Mq.Broker.Persistence;

/// <summary>Discarding the oldest messages: the floor moves up, and segment files wholly below it are deleted.</summary>
internal sealed partial class FileStreamStore
{
    /// <summary>Moves the floor past what the limits no longer keep; true if it moved. Runs in the writer loop.</summary>
    private bool DiscardOld(long now)
    {
        StreamLimits limits = Options.Limits;
        bool bySize = limits.Discard == DiscardPolicy.Old && (limits.MaxMessages is not null || limits.MaxBytes is not null);
        if (!bySize && limits.MaxAge is null)
            return false;
        long cutoff = limits.MaxAge is { } age ? now - (long)age.TotalMilliseconds : long.MinValue;
        bool moved = false;
        lock (_lock)
        {
            while (_first <= _last)
            {
                Segment segment = _segments[Locate(_first)];
                IndexEntry oldest = segment.Entries[(int)(_first - segment.FirstSequence)];
                bool over = bySize && ((long)(_last + 1 - _first) > limits.MaxMessages || _bytes > limits.MaxBytes);
                if (!over && limits.MaxAge is not null)
                    over = segment.FirstTimestamp < cutoff && ReadTimestamp(segment, oldest) < cutoff;
                if (!over)
                    break;
                _first++;
                _bytes -= oldest.Length;
                moved = true;
            }
            if (moved)
                RetireBelowFloor();
        }
        _draftBytes = _bytes;
        return moved;
    }

    /// <summary>Under the lock: drops the segments whose messages are all below the floor; the active one stays.</summary>
    private void RetireBelowFloor()
    {
        while (_segments.Count > 1 && _segments[0].NextSequence <= _first)
        {
            Segment retired = _segments[0];
            _segments.RemoveAt(0);
            File.Delete(retired.Path);
            if (retired.Retire())
                retired.Close();
        }
    }

    private static long ReadTimestamp(Segment segment, IndexEntry entry)
    {
        Span<byte> timestamp = stackalloc byte[8];
        RandomAccess.Read(segment.ReadHandle, timestamp, entry.Offset + 16);
        return BinaryPrimitives.ReadInt64LittleEndian(timestamp);
    }
}
