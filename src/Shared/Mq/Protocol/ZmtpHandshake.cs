using System.Buffers.Binary;
using System.Text;

namespace Mq.Protocol;

/// <summary>
/// Judges what the other end sends before Mq is spoken: the ZMTP greeting, byte by byte as it arrives (so a
/// legacy or foreign one is refused at its first wrong byte), and its READY command. The broker judges its peers
/// with it, and the client's stream transport the broker.
/// </summary>
internal static class ZmtpHandshake
{
    /// <summary>Socket types that may talk to a ROUTER (RFC 28): what the broker accepts from a peer.</summary>
    public static readonly string[] RouterPeers = ["DEALER", "REQ", "ROUTER"];

    /// <summary>What a DEALER client accepts from the broker: it listens as a ROUTER.</summary>
    public static readonly string[] Broker = ["ROUTER"];

    /// <summary>
    /// Null while the greeting so far is acceptable (complete or not: the caller compares the length with
    /// <see cref="ZmtpWire.GreetingLength"/>); otherwise why the connection is refused.
    /// </summary>
    public static string? CheckGreeting(ReadOnlySpan<byte> received)
    {
        if (received.Length >= 1 && received[0] != 0xFF)
        {
            // ZMTP 1.0 starts with a frame length; HTTP, TLS and garbage start with anything else.
            return "not a ZMTP 3 greeting (ZMTP 1.0, or not ZeroMQ at all)";
        }

        if (received.Length >= 10 && received[9] != 0x7F)
        {
            return "not a ZMTP 3 greeting (bad signature)";
        }

        if (received.Length >= 11 && received[10] != 3)
        {
            return received[10] < 3
                ? $"a legacy greeting (ZMTP revision {received[10]}); only ZMTP 3.x is spoken here"
                : $"ZMTP version {received[10]} is not supported; only 3.x is spoken here";
        }

        if (received.Length >= 32)
        {
            ReadOnlySpan<byte> mechanism = received.Slice(12, 20);
            if (!mechanism.StartsWith("NULL"u8) || mechanism[4..].ContainsAnyExcept((byte)0))
            {
                return $"security mechanism '{Printable(mechanism)}' is not supported; only NULL is spoken here (Mq encrypts above ZeroMQ)";
            }
        }

        return null;
    }

    /// <summary>What a peer's READY said, or why it is refused.</summary>
    public readonly record struct Ready(string? Problem, bool HasIdentity);

    /// <summary>Reads the body of the other end's first command, which must be READY with a Socket-Type of <paramref name="allowedSocketTypes"/>.</summary>
    public static Ready ParseReady(ReadOnlySpan<byte> body, string[] allowedSocketTypes)
    {
        ReadOnlySpan<byte> name = ZmtpWire.CommandName(body);
        if (!name.SequenceEqual("READY"u8))
        {
            return new Ready($"expected READY, got command '{Printable(name)}'", false);
        }

        string? socketType = null;
        bool hasIdentity = false;
        ReadOnlySpan<byte> rest = body[(1 + name.Length)..];
        while (!rest.IsEmpty)
        {
            int nameLength = rest[0];
            if (rest.Length < 1 + nameLength + 4)
            {
                return new Ready("a truncated READY property", false);
            }

            ReadOnlySpan<byte> property = rest.Slice(1, nameLength);
            uint valueLength = BinaryPrimitives.ReadUInt32BigEndian(rest[(1 + nameLength)..]);
            int valueStart = 1 + nameLength + 4;
            if (valueLength > rest.Length - valueStart)
            {
                return new Ready("a truncated READY property", false);
            }

            ReadOnlySpan<byte> value = rest.Slice(valueStart, (int)valueLength);
            // Property names are case-insensitive (RFC 23).
            if (Ascii.EqualsIgnoreCase(property, "Socket-Type"u8))
            {
                socketType = Encoding.ASCII.GetString(value);
            }
            else if (Ascii.EqualsIgnoreCase(property, "Identity"u8))
            {
                hasIdentity = !value.IsEmpty;
            }

            rest = rest[(valueStart + (int)valueLength)..];
        }

        if (socketType is null || !allowedSocketTypes.Contains(socketType, StringComparer.Ordinal))
        {
            return new Ready($"socket type '{socketType ?? "(none)"}' cannot talk to a {(allowedSocketTypes == Broker ? "DEALER" : "ROUTER")}", hasIdentity);
        }

        return new Ready(null, hasIdentity);
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
        {
            if (b == 0)
            {
                break;
            }

            text.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        }

        return text.ToString();
    }
}
