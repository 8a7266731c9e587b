using MessagePack;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>Frames that break the protocol: each is refused, counted, and harms no other peer.</summary>
public sealed class BadInputTests
{
    private readonly EngineHarness _broker = new();

    public BadInputTests()
    {
        _broker.Connect(1, "bad");
        _broker.Connect(2, "good");
        _broker.Subscribe(2, 1, "a");
    }

    [Fact]
    public void An_unknown_command_is_refused_and_the_next_command_in_the_frame_still_runs()
    {
        byte[] unknown = Frames.Build((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(3);
            w.Write(99);
            w.Write("whatever");
            w.WriteMapHeader(0);
        });
        _broker.From(1, Frames.Batch(unknown, Frames.Ping(5)));

        EngineHarness.Refusal refusal = _broker.ExpectError(1);
        Assert.Equal(ErrorCode.UnknownCommand, refusal.Code);
        Assert.Contains("99", refusal.Message);
        Assert.Equal(5UL, _broker.Expect(1, CommandCode.Ok).ReadUInt());
    }

    [Fact]
    public void Auth_on_a_broker_without_a_policy_is_refused()
    {
        _broker.From(1, Frames.Auth("admin", new byte[64]));
        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(1).Code);
        _broker.From(1, Frames.Ping(3));
        Assert.Equal(3UL, _broker.Expect(1, CommandCode.Ok).ReadUInt());
    }

    [Theory]
    [InlineData((int)CommandCode.Msg)]
    [InlineData((int)CommandCode.Welcome)]
    [InlineData((int)CommandCode.Reply)]
    [InlineData((int)CommandCode.Challenge)]
    [InlineData((int)CommandCode.Credit)]
    [InlineData((int)CommandCode.Revoked)]
    [InlineData(0)]
    [InlineData(300)]
    public void Broker_to_peer_and_out_of_range_codes_are_unknown_commands(int code)
    {
        byte[] command = Frames.Build((ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write(code); w.Write(1); });
        _broker.From(1, Frames.Batch(command, Frames.Ping(6)));
        Assert.Equal(ErrorCode.UnknownCommand, _broker.ExpectError(1).Code);
        _broker.Expect(1, CommandCode.Ok);
    }

    [Fact]
    public void Garbage_is_malformed_and_other_peers_are_untouched()
    {
        _broker.From(1, [0xde, 0xad, 0xbe, 0xef]);
        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(1).Code);

        _broker.From(1, Frames.Pub("a", [1]));
        Assert.Equal([1], _broker.ExpectMsg(2).Payload);
        Assert.Equal(2, _broker.Engine.PeerCount);
        Assert.Equal(1, _broker.Engine.GetStats().Refused);
    }

    [Fact]
    public void Commands_before_a_broken_one_run_and_the_rest_of_the_frame_is_discarded()
    {
        byte[] truncated = Frames.Pub("a", [1, 2, 3])[..^2];
        _broker.From(1, Frames.Batch(Frames.Ping(1), truncated));
        _broker.From(1, Frames.Batch(Frames.Ping(2), [0xc1], Frames.Ping(3)));

        Assert.Equal(1UL, _broker.Expect(1, CommandCode.Ok).ReadUInt());
        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(1).Code);
        Assert.Equal(2UL, _broker.Expect(1, CommandCode.Ok).ReadUInt());
        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(1).Code);
        Assert.True(_broker.Idle(1));
        Assert.True(_broker.Idle(2));
    }

    [Fact]
    public void A_field_of_the_wrong_type_is_malformed()
    {
        byte[] sub = Frames.Build((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(5);
            w.Write((byte)CommandCode.Sub);
            w.Write(1);
            w.Write("not a sid");
            w.Write("a");
            w.WriteNil();
        });
        _broker.From(1, sub);
        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(1).Code);
        Assert.Equal(1, _broker.Engine.GetStats().Subscriptions);
    }

    [Fact]
    public void An_empty_frame_and_a_multipart_message_are_malformed()
    {
        _broker.From(1, []);
        _broker.Engine.OnMultipart(1, _broker.Now);
        _broker.Engine.Flush(_broker.Now);

        Assert.Contains("empty frame", _broker.ExpectError(1).Message);
        Assert.Contains("exactly one frame", _broker.ExpectError(1).Message);
        Assert.Equal(2, _broker.Engine.GetStats().Refused);
    }

    [Fact]
    public void A_publish_subject_that_is_not_utf8_is_an_invalid_subject()
    {
        _broker.From(1, Frames.Build((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(4);
            w.Write((byte)CommandCode.Pub);
            w.WriteString(new byte[] { 0x61, 0xff });
            w.WriteNil();
            w.Write(ReadOnlySpan<byte>.Empty);
        }));

        EngineHarness.Refusal refusal = _broker.ExpectError(1);
        Assert.Equal(ErrorCode.InvalidSubject, refusal.Code);
        Assert.Contains("UTF-8", refusal.Message);
        Assert.True(_broker.Idle(2));
    }

    [Fact]
    public void A_pattern_that_is_not_utf8_is_an_invalid_subject()
    {
        _broker.From(1, Frames.Build((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(5);
            w.Write((byte)CommandCode.Sub);
            w.Write(8);
            w.Write(8);
            w.WriteString(new byte[] { 0x61, 0xff });
            w.WriteNil();
        }));

        EngineHarness.Refusal refusal = _broker.ExpectError(1);
        Assert.Equal((8UL, ErrorCode.InvalidSubject), (refusal.Ref, refusal.Code));
        Assert.Equal(1, _broker.Engine.GetStats().Subscriptions);
    }
}
