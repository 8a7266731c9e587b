using Mq.Broker.Transport;

namespace Mq.UnitTests.Transport;

/// <summary>What the broker accepts of a connecting peer before Mq: ZMTP 3 with NULL, and a READY from a socket that talks to a ROUTER.</summary>
public sealed class ZmtpHandshakeTests
{
    [Theory]
    [InlineData(3, 0)]
    [InlineData(3, 1)]
    public void A_zmtp3_null_greeting_passes_at_every_length(byte major, byte minor)
    {
        byte[] greeting = Greeting(major, minor, "NULL");
        for (int length = 0; length <= greeting.Length; length++)
        {
            Assert.Null(ZmtpHandshake.CheckGreeting(greeting.AsSpan(0, length)));
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x01 }, "ZMTP 1.0")]
    [InlineData(new byte[] { (byte)'G', (byte)'E', (byte)'T' }, "not ZeroMQ")]
    [InlineData(new byte[] { 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x00 }, "bad signature")]
    [InlineData(new byte[] { 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x01 }, "legacy greeting (ZMTP revision 1)")]
    [InlineData(new byte[] { 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x02 }, "legacy greeting (ZMTP revision 2)")]
    [InlineData(new byte[] { 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0x04 }, "ZMTP version 4")]
    public void Legacy_and_foreign_greetings_are_refused_at_the_first_wrong_byte(byte[] start, string reason)
    {
        Assert.Contains(reason, ZmtpHandshake.CheckGreeting(start));
    }

    [Theory]
    [InlineData("CURVE")]
    [InlineData("PLAIN")]
    [InlineData("NULLX")]
    public void Other_mechanisms_are_refused(string mechanism)
    {
        Assert.Contains($"mechanism '{mechanism}'", ZmtpHandshake.CheckGreeting(Greeting(3, 1, mechanism)));
    }

    [Theory]
    [InlineData("DEALER")]
    [InlineData("REQ")]
    [InlineData("ROUTER")]
    public void Sockets_that_talk_to_a_router_are_ready(string socketType)
    {
        ZmtpHandshake.Ready ready = ZmtpHandshake.ParseReady(ReadyBody(("Socket-Type", socketType), ("Identity", "")));
        Assert.Null(ready.Problem);
        Assert.False(ready.HasIdentity);
    }

    [Theory]
    [InlineData("PUB")]
    [InlineData("SUB")]
    [InlineData("dealer")]
    public void Other_socket_types_are_refused(string socketType)
    {
        Assert.Contains($"socket type '{socketType}'", ZmtpHandshake.ParseReady(ReadyBody(("Socket-Type", socketType))).Problem);
    }

    [Fact]
    public void A_non_empty_identity_is_reported_whatever_the_case_of_the_property_name()
    {
        Assert.True(ZmtpHandshake.ParseReady(ReadyBody(("socket-type", "DEALER"), ("IDENTITY", "\0\u0001\0\0\0"))).HasIdentity);
    }

    [Fact]
    public void A_truncated_property_and_another_command_are_refused()
    {
        byte[] body = ReadyBody(("Socket-Type", "DEALER"));
        Assert.Contains("truncated", ZmtpHandshake.ParseReady(body.AsSpan(0, body.Length - 1)).Problem);
        Assert.Contains("expected READY", ZmtpHandshake.ParseReady([4, .. "PING"u8, 0, 0]).Problem);
    }

    private static byte[] Greeting(byte major, byte minor, string mechanism)
    {
        var greeting = new byte[64];
        greeting[0] = 0xFF;
        greeting[9] = 0x7F;
        greeting[10] = major;
        greeting[11] = minor;
        System.Text.Encoding.ASCII.GetBytes(mechanism).CopyTo(greeting, 12);
        return greeting;
    }

    private static byte[] ReadyBody(params (string Name, string Value)[] properties)
    {
        var body = new List<byte> { 5 };
        body.AddRange("READY"u8.ToArray());
        foreach ((string name, string value) in properties)
        {
            body.Add((byte)name.Length);
            body.AddRange(System.Text.Encoding.Latin1.GetBytes(name));
            body.AddRange([0, 0, 0, (byte)value.Length]);
            body.AddRange(System.Text.Encoding.Latin1.GetBytes(value));
        }

        return [.. body];
    }
}
