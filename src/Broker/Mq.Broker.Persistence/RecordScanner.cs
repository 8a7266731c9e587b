using Microsoft.Extensions.Logging;

namespace Mq.Broker.Persistence;

/// <summary>
/// Walks the records of one file on open. A bad record at the end of the file that is written last is a torn
/// write (the process or the machine stopped mid-append): it is cut off. Anywhere else, or when a valid record
/// follows the bad one, the file was damaged after it was written, and that is a <see cref="StoreCorruptException"/>.
/// </summary>
internal static class RecordScanner
{
    /// <summary>Calls <paramref name="onRecord"/> for each record in order and returns the length of the valid prefix.</summary>
    public static int Scan(ReadOnlySpan<byte> file, string path, bool isTail, ILogger logger, RecordVisitor onRecord)
    {
        int offset = 0;
        while (offset < file.Length)
        {
            ParseStatus status = RecordCodec.TryParse(file[offset..], out RecordHeader header);
            if (status == ParseStatus.Ok)
            {
                onRecord(file.Slice(offset, header.Length), header, offset);
                offset += header.Length;
                continue;
            }
            string problem = status == ParseStatus.Incomplete
                ? "a record runs past the end of the file"
                : "a record's length, framing or CRC-32 checksum does not match";
            if (!isTail || ValidRecordAfter(file, offset))
                throw new StoreCorruptException(path, offset, problem + " and valid records follow it");
            logger.LogWarning("Cut a torn last write off {Path} at offset {Offset} ({Bytes} bytes: {Problem})",
                path, offset, file.Length - offset, problem);
            return offset;
        }
        return offset;
    }

    private static bool ValidRecordAfter(ReadOnlySpan<byte> file, int badOffset)
    {
        for (int offset = badOffset + 1; offset + RecordCodec.FrameSize <= file.Length; offset++)
        {
            if (RecordCodec.TryParse(file[offset..], out _) == ParseStatus.Ok)
                return true;
        }
        return false;
    }
}
