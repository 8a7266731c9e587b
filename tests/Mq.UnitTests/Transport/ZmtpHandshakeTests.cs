using Mq.Broker.Transport;
using Mq.Protocol;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.UnitTests.Transport;

/// <summary>What the broker accepts of a connecting peer before Mq: ZMTP 3 with NULL, and a READY from a socket that talks to a ROUTER.</summary>
public sealed class ZmtpHandshakeTests
{
    [Theory]
    [InlineData(3, 0)]
    [InlineData(3, 1)]
    public void A_zmtp3_null_greeting_passes_at_every_length(byte major, byte minor)
    {
        byte[] greeting = ZmtpBytes.Greeting(major, minor, "NULL");
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
        Assert.Contains($"mechanism '{mechanism}'", ZmtpHandshake.CheckGreeting(ZmtpBytes.Greeting(3, 1, mechanism)));
    }

    [Theory]
    [InlineData("DEALER")]
    [InlineData("REQ")]
    [InlineData("ROUTER")]
    public void Sockets_that_talk_to_a_router_are_ready(string socketType)
    {
        ZmtpHandshake.Ready ready = ZmtpHandshake.ParseReady(ZmtpBytes.ReadyBody(("Socket-Type", socketType), ("Identity", "")), ZmtpHandshake.RouterPeers);
        Assert.Null(ready.Problem);
        Assert.False(ready.HasIdentity);
    }

    [Theory]
    [InlineData("PUB")]
    [InlineData("SUB")]
    [InlineData("dealer")]
    public void Other_socket_types_are_refused(string socketType)
    {
        Assert.Contains($"socket type '{socketType}'", ZmtpHandshake.ParseReady(ZmtpBytes.ReadyBody(("Socket-Type", socketType)), ZmtpHandshake.RouterPeers).Problem);
    }

    [Fact]
    public void A_non_empty_identity_is_reported_whatever_the_case_of_the_property_name()
    {
        Assert.True(ZmtpHandshake.ParseReady(ZmtpBytes.ReadyBody(("socket-type", "DEALER"), ("IDENTITY", "\0\u0001\0\0\0")), ZmtpHandshake.RouterPeers).HasIdentity);
    }

    [Fact]
    public void A_truncated_property_and_another_command_are_refused()
    {
        byte[] body = ZmtpBytes.ReadyBody(("Socket-Type", "DEALER"));
        Assert.Contains("truncated", ZmtpHandshake.ParseReady(body.AsSpan(0, body.Length - 1), ZmtpHandshake.RouterPeers).Problem);
        Assert.Contains("expected READY", ZmtpHandshake.ParseReady([4, .. "PING"u8, 0, 0], ZmtpHandshake.RouterPeers).Problem);
    }
}
