using System.Buffers.Binary;
using System.Text;

namespace Mq.Protocol;

/// <summary>
/// ZMTP 3.x framing (RFC 23, RFC 37): the greeting, the NULL mechanism's READY, PING/PONG and frame headers.
/// Only what the broker's ROUTER and the client's stream DEALER, both speaking the NULL mechanism, need.
/// </summary>
internal static class ZmtpWire
{
    public const int GreetingLength = 64;
    public const byte FlagMore = 0x01;
    public const byte FlagLong = 0x02;
    public const byte FlagCommand = 0x04;
    public const byte ReservedFlags = 0xF8;
    public const int MaxHeaderLength = 9;

    /// <summary>PING's context is at most 16 bytes (RFC 37); the broker echoes it in PONG.</summary>
    public const int MaxPingContext = 16;

    private static readonly byte[] NullMechanism = Encoding.ASCII.GetBytes("NULL");

    /// <summary>
    /// The greeting both ends send: signature, version 3.1, mechanism NULL, as-server 0 (NULL has no roles), filler.
    /// Sent whole: the other end reads it in any pieces it likes.
    /// </summary>
    public static byte[] Greeting()
    {
        var greeting = new byte[GreetingLength];
        greeting[0] = 0xFF;
        greeting[9] = 0x7F;
        greeting[10] = 3;
        greeting[11] = 1;
        NullMechanism.CopyTo(greeting.AsSpan(12));
        return greeting;
    }

    /// <summary>A READY command frame with one property, Socket-Type (the broker's is ROUTER, the client's DEALER), and no Identity.</summary>
    public static byte[] Ready(string socketType)
    {
        byte[] type = Encoding.ASCII.GetBytes(socketType);
        byte[] body = [5, .. "READY"u8, 11, .. "Socket-Type"u8, 0, 0, 0, (byte)type.Length, .. type];
        return [FlagCommand, (byte)body.Length, .. body];
    }

    /// <summary>A PONG command frame echoing <paramref name="context"/> (at most <see cref="MaxPingContext"/> bytes).</summary>
    public static int WritePong(Span<byte> destination, ReadOnlySpan<byte> context)
    {
        destination[0] = FlagCommand;
        destination[1] = (byte)(5 + context.Length);
        destination[2] = 4;
        "PONG"u8.CopyTo(destination[3..]);
        context.CopyTo(destination[7..]);
        return 7 + context.Length;
    }

    /// <summary>A PING command frame with TTL 0 and <paramref name="context"/> (at most <see cref="MaxPingContext"/> bytes), which the peer echoes in its PONG.</summary>
    public static int WritePing(Span<byte> destination, ReadOnlySpan<byte> context)
    {
        destination[0] = FlagCommand;
        destination[1] = (byte)(7 + context.Length);
        destination[2] = 4;
        "PING"u8.CopyTo(destination[3..]);
        destination[7] = 0;
        destination[8] = 0;
        context.CopyTo(destination[9..]);
        return 9 + context.Length;
    }

    public static int HeaderLength(int frameLength) => frameLength <= byte.MaxValue ? 2 : 9;

    /// <summary>Writes the header of a final (no MORE) message frame of <paramref name="frameLength"/> bytes.</summary>
    public static int WriteHeader(Span<byte> destination, int frameLength)
    {
        if (frameLength <= byte.MaxValue)
        {
            destination[0] = 0;
            destination[1] = (byte)frameLength;
            return 2;
        }

        destination[0] = FlagLong;
        BinaryPrimitives.WriteUInt64BigEndian(destination[1..], (ulong)frameLength);
        return 9;
    }

    /// <summary>
    /// Reads a frame header. False when more bytes are needed. <paramref name="size"/> is what the peer announced,
    /// unchecked: the caller compares it with its limit before it allocates anything.
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> buffer, out byte flags, out ulong size, out int headerLength)
    {
        size = 0;
        headerLength = 0;
        flags = buffer.IsEmpty ? (byte)0 : buffer[0];
        if (buffer.Length < 2)
        {
            return false;
        }

        if ((flags & FlagLong) == 0)
        {
            size = buffer[1];
            headerLength = 2;
            return true;
        }

        if (buffer.Length < 9)
        {
            return false;
        }

        size = BinaryPrimitives.ReadUInt64BigEndian(buffer[1..]);
        headerLength = 9;
        return true;
    }

    /// <summary>The name of a command frame's command (its body starts with a length byte and the name), or empty.</summary>
    public static ReadOnlySpan<byte> CommandName(ReadOnlySpan<byte> body) =>
        body.IsEmpty || body[0] + 1 > body.Length ? default : body.Slice(1, body[0]);
}
