using System.Buffers.Binary;

namespace Mq.Broker.Persistence;

/// <summary>Reads: they see what the writer loop published, through the segments' read handles.</summary>
internal sealed partial class FileStreamStore
{
    public async ValueTask<IReadOnlyList<StoredMessage>> ReadAsync(ulong fromSequence, int maxMessages, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        Segment segment;
        int count = 0;
        long start, end;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            fromSequence = Math.Max(fromSequence, _first);
            if (fromSequence > _last)
                return [];
            segment = _segments[Locate(fromSequence)];
            int index = (int)(fromSequence - segment.FirstSequence);
            int available = Math.Min(Math.Min(maxMessages, MaxReadMessages), segment.Entries.Count - index);
            start = segment.Entries[index].Offset;
            end = start;
            while (count < available && (count == 0 || segment.Entries[index + count].Offset + segment.Entries[index + count].Length - start <= MaxReadBytes))
            {
                IndexEntry entry = segment.Entries[index + count++];
                end = entry.Offset + entry.Length;
            }
            segment.Acquire();
        }
        try
        {
            byte[] buffer = GC.AllocateUninitializedArray<byte>((int)(end - start));
            await ReadExactlyAsync(segment, buffer, start, cancellationToken);
            var messages = new StoredMessage[count];
            int offset = 0;
            string subject = "";
            ReadOnlySpan<byte> subjectBytes = default;
            for (int i = 0; i < count;)
            {
                if (RecordCodec.TryParse(buffer.AsSpan(offset), out RecordHeader header) != ParseStatus.Ok)
                    throw new StoreCorruptException(segment.Path, start + offset, "a record's length, framing or CRC-32 checksum does not match");
                if (header.Kind == RecordKind.Message)
                {
                    var record = new ReadOnlyMemory<byte>(buffer, offset, header.Length);
                    // Runs of one subject are the common case: one string serves them all.
                    ReadOnlySpan<byte> bytes = record.Span.Slice(RecordCodec.SubjectStart, header.SubjectLength);
                    if (i == 0 || !bytes.SequenceEqual(subjectBytes))
                    {
                        subject = RecordCodec.Subject(record.Span, header);
                        subjectBytes = bytes;
                    }
                    messages[i++] = new StoredMessage(header.Sequence, header.Timestamp, subject,
                        record.Slice(header.HeadersStart, header.HeadersLength), record.Slice(header.PayloadStart, header.PayloadLength));
                }
                offset += header.Length;
            }
            return messages;
        }
        finally
        {
            ReleaseSegment(segment);
        }
    }

    public async ValueTask<ulong?> FindSequenceAsync(DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        long target = time.ToUnixTimeMilliseconds();
        Segment? segment = null;
        IndexEntry[] entries = [];
        int low = 0;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_first > _last)
                return null;
            for (int i = Locate(_first); i < _segments.Count && segment is null; i++)
            {
                if (_segments[i].Entries.Count > 0 && _segments[i].LastTimestamp >= target)
                {
                    segment = _segments[i];
                    entries = [.. segment.Entries];
                    low = (int)(Math.Max(_first, segment.FirstSequence) - segment.FirstSequence);
                    segment.Acquire();
                }
            }
        }
        if (segment is null)
            return null;
        try
        {
            // Timestamps never decrease, so the first at or after the target is found by bisection.
            int high = entries.Length - 1;
            byte[] timestamp = new byte[8];
            while (low < high)
            {
                int middle = (low + high) / 2;
                await ReadExactlyAsync(segment, timestamp, entries[middle].Offset + 16, cancellationToken);
                if (BinaryPrimitives.ReadInt64LittleEndian(timestamp) >= target)
                    high = middle;
                else
                    low = middle + 1;
            }
            return segment.FirstSequence + (ulong)low;
        }
        finally
        {
            ReleaseSegment(segment);
        }
    }

    private static async ValueTask ReadExactlyAsync(Segment segment, Memory<byte> buffer, long offset, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            int read = await RandomAccess.ReadAsync(segment.ReadHandle, buffer, offset, cancellationToken);
            if (read == 0)
                throw new StoreCorruptException(segment.Path, offset, "the file ends before a record its index names");
            buffer = buffer[read..];
            offset += read;
        }
    }
}
