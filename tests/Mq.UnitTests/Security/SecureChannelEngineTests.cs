using Mq.Broker.Server;
using Mq.Protocol;
using Mq.UnitTests.Engine;
using NetMQ;
using ErrorCode = Mq.Protocol.ErrorCode;

namespace Mq.UnitTests.Security;

/// <summary>The broker's end of the secure channel: nothing but SECURE before it, every frame sealed after it.</summary>
public sealed class SecureChannelEngineTests
{
    private static readonly NetMQCertificate BrokerKey = new();
    private readonly EngineHarness _broker = new(new BrokerOptions { Curve = new BrokerCurveOptions { SecretKey = BrokerKey.SecretKeyZ85 } });

    [Fact]
    public void Every_command_before_the_channel_is_refused_with_EncryptionRequired_and_the_rest_of_its_frame_discarded()
    {
        _broker.FromRaw(1, Frames.Batch(Frames.Hello(), Frames.Ping(3)));
        EngineHarness.Refusal refusal = _broker.ExpectError(1);
        Assert.Equal((0UL, ErrorCode.EncryptionRequired), (refusal.Ref, refusal.Code));
        Assert.True(_broker.Idle(1));

        _broker.Secure(1, BrokerKey.PublicKey);
        _broker.Connect(1);
        _broker.From(1, Frames.Ping(4));
        Assert.Equal(4UL, _broker.Expect(1, CommandCode.Ok).ReadUInt());
    }

    [Fact]
    public void A_handshake_for_another_key_is_refused_and_counted()
    {
        using var wrong = Mq.Security.NoiseHandshake.Initiator(new NetMQCertificate().PublicKey, _broker.Engine.ConnectedFrame);
        _broker.FromRaw(1, Frames.Build((ref MessagePack.MessagePackWriter w) => CommandWriter.WriteSecure(ref w, wrong.WriteMessage1())));
        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(1).Code);
        Assert.Equal(1, _broker.Engine.GetStats().ChannelFailures);
    }

    [Fact]
    public void A_second_secure_on_an_encrypted_connection_is_malformed()
    {
        _broker.Secure(1, BrokerKey.PublicKey);
        _broker.From(1, Frames.Build((ref MessagePack.MessagePackWriter w) => CommandWriter.WriteSecure(ref w, new byte[48])));
        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(1).Code);
    }

    [Fact]
    public void A_broker_without_a_key_answers_secure_as_an_unknown_command()
    {
        var plain = new EngineHarness();
        plain.FromRaw(1, Frames.Build((ref MessagePack.MessagePackWriter w) => CommandWriter.WriteSecure(ref w, new byte[48])));
        EngineHarness.Refusal refusal = plain.ExpectError(1);
        Assert.Equal(ErrorCode.UnknownCommand, refusal.Code);
        Assert.Equal("this broker has no key; it speaks plaintext", refusal.Message);
    }

    [Theory]
    [InlineData("flipped")]
    [InlineData("replayed")]
    [InlineData("plaintext")]
    public void A_frame_that_does_not_decrypt_ends_the_session_and_is_counted(string attack)
    {
        _broker.Secure(1, BrokerKey.PublicKey);
        _broker.Connect(1, "victim");
        byte[] sub = _broker.SealFor(1, Frames.Sub(1, 1, "a"));
        _broker.FromRaw(1, sub);
        _broker.Expect(1, CommandCode.Ok);
        long refusedBefore = _broker.Engine.GetStats().Refused;

        byte[] bad = attack switch
        {
            "flipped" => Flip(_broker.SealFor(1, Frames.Pub("a", [1]))),
            "replayed" => sub,
            _ => Frames.Pub("a", [1]),
        };
        _broker.FromRaw(1, bad);

        Assert.Equal(0, _broker.Engine.PeerCount);
        Assert.True(_broker.Idle(1));
        Assert.Equal(1, _broker.Engine.GetStats().ChannelFailures);
        Assert.Equal(refusedBefore + 1, _broker.Engine.GetStats().Refused);
        Assert.Equal(0, _broker.Engine.GetStats().MessagesPublished);
    }

    [Fact]
    public void A_frame_the_queue_refused_does_not_use_up_a_nonce()
    {
        _broker.Secure(1, BrokerKey.PublicKey);
        _broker.Connect(1);
        _broker.Outcome = SendOutcome.QueueFull;
        _broker.From(1, Frames.Ping(1));
        _broker.Outcome = SendOutcome.Sent;
        _broker.Tick(1); // the backlog goes out now, sealed under the nonce the refused frame did not use

        Assert.Equal(1UL, _broker.Expect(1, CommandCode.Ok).ReadUInt());
    }

    private static byte[] Flip(byte[] frame)
    {
        frame[frame.Length / 2] ^= 0x01;
        return frame;
    }
}
