using System.Buffers.Binary;
using System.Text;

namespace Mq.TestSupport;

/// <summary>ZMTP 3 bytes written by hand (RFC 23/37), for tests that play a peer or check the broker's parser.</summary>
public static class ZmtpBytes
{
    /// <summary>A 64-byte greeting; other versions and mechanisms make the legacy and foreign greetings tests send.</summary>
    public static byte[] Greeting(byte major = 3, byte minor = 1, string mechanism = "NULL")
    {
        var greeting = new byte[64];
        greeting[0] = 0xFF;
        greeting[9] = 0x7F;
        greeting[10] = major;
        greeting[11] = minor;
        Encoding.ASCII.GetBytes(mechanism).CopyTo(greeting, 12);
        return greeting;
    }

    /// <summary>The body of a READY command: its name, then each property's name and value.</summary>
    public static byte[] ReadyBody(params (string Name, byte[] Value)[] properties)
    {
        var body = new List<byte> { 5 };
        body.AddRange("READY"u8.ToArray());
        foreach ((string name, byte[] value) in properties)
        {
            body.Add((byte)name.Length);
            body.AddRange(Encoding.ASCII.GetBytes(name));
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)value.Length);
            body.AddRange(length);
            body.AddRange(value);
        }

        return [.. body];
    }

    /// <summary>A READY body whose property values are text (one byte per character).</summary>
    public static byte[] ReadyBody(params (string Name, string Value)[] properties) =>
        ReadyBody(properties.Select(p => (p.Name, Encoding.Latin1.GetBytes(p.Value))).ToArray());

    /// <summary>A READY command frame with the Socket-Type and, if given, an Identity property.</summary>
    public static byte[] Ready(string socketType = "DEALER", byte[]? identity = null) =>
        Frame(identity is null
            ? ReadyBody(("Socket-Type", Encoding.ASCII.GetBytes(socketType)))
            : ReadyBody(("Socket-Type", Encoding.ASCII.GetBytes(socketType)), ("Identity", identity)), flags: 0x04);

    /// <summary>A frame with a short or long header as its size needs; <paramref name="flags"/> 0x01 is MORE, 0x04 COMMAND.</summary>
    public static byte[] Frame(byte[] body, byte flags = 0)
    {
        if (body.Length <= 255)
        {
            return [flags, (byte)body.Length, .. body];
        }

        var header = new byte[9];
        header[0] = (byte)(flags | 0x02);
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(1), (ulong)body.Length);
        return [.. header, .. body];
    }
}
