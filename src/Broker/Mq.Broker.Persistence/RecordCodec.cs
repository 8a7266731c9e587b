using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Mq.Broker.Persistence;

/// <summary>
/// The record format, little-endian: u32 length (the whole record), u8 kind, u8 reserved, u16 subject length,
/// u64 sequence, i64 timestamp, u32 headers length, then subject (UTF-8), headers, payload, and a CRC-32 of all
/// bytes before it. The length comes first so a reader can skip, the checksum last so a torn write never verifies.
/// </summary>
internal static class RecordCodec
{
    public const int HeaderSize = 28;
    public const int FrameSize = HeaderSize + 4;
    public const int SubjectStart = HeaderSize;

    public static int Size(int subjectBytes, int headersBytes, int payloadBytes) => FrameSize + subjectBytes + headersBytes + payloadBytes;

    public static int SubjectBytes(string subject) => Encoding.UTF8.GetByteCount(subject);

    public static int Write(
        Span<byte> destination, RecordKind kind, ulong sequence, long timestamp, string subject,
        ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        int subjectBytes = Encoding.UTF8.GetBytes(subject, destination[HeaderSize..]);
        int length = Size(subjectBytes, headers.Length, payload.Length);
        BinaryPrimitives.WriteInt32LittleEndian(destination, length);
        destination[4] = (byte)kind;
        destination[5] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], (ushort)subjectBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], sequence);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], timestamp);
        BinaryPrimitives.WriteInt32LittleEndian(destination[24..], headers.Length);
        headers.CopyTo(destination[(HeaderSize + subjectBytes)..]);
        payload.CopyTo(destination[(HeaderSize + subjectBytes + headers.Length)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[(length - 4)..], Crc32.HashToUInt32(destination[..(length - 4)]));
        return length;
    }

    public static ParseStatus TryParse(ReadOnlySpan<byte> source, out RecordHeader header)
    {
        header = default;
        if (source.Length < 4)
            return ParseStatus.Incomplete;
        int length = BinaryPrimitives.ReadInt32LittleEndian(source);
        if (length is < FrameSize or > StreamOptions.MaxRecordBytes)
            return ParseStatus.Bad;
        if (source.Length < length)
            return ParseStatus.Incomplete;
        var kind = (RecordKind)source[4];
        int subjectLength = BinaryPrimitives.ReadUInt16LittleEndian(source[6..]);
        int headersLength = BinaryPrimitives.ReadInt32LittleEndian(source[24..]);
        if (!Enum.IsDefined(kind) || source[5] != 0 || headersLength < 0 || (long)subjectLength + headersLength > length - FrameSize)
            return ParseStatus.Bad;
        if (Crc32.HashToUInt32(source[..(length - 4)]) != BinaryPrimitives.ReadUInt32LittleEndian(source[(length - 4)..length]))
            return ParseStatus.Bad;
        header = new RecordHeader(
            length, kind, BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(source[16..]), subjectLength, headersLength);
        return ParseStatus.Ok;
    }

    public static string Subject(ReadOnlySpan<byte> record, in RecordHeader header) =>
        Encoding.UTF8.GetString(record.Slice(SubjectStart, header.SubjectLength));
}
