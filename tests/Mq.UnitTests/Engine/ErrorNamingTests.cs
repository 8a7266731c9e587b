using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>
/// ERROR's fifth field names the refused command, so a peer can tell a ref of its own from a broker bid (a refused
/// REP carries the bid) and a frame-level refusal (0) from a command's.
/// </summary>
public sealed class ErrorNamingTests
{
    private readonly EngineHarness _broker = new();

    public ErrorNamingTests()
    {
        _broker.Connect(1, "requester");
        _broker.Connect(2, "server");
    }

    [Fact]
    public void A_refused_reply_names_REP_so_its_ref_is_known_to_be_a_bid()
    {
        _broker.From(2, Frames.Rep(7));

        (EngineHarness.Refusal refusal, CommandCode command) = _broker.ExpectErrorNaming(2);
        Assert.Equal((7UL, ErrorCode.UnknownRequest, CommandCode.Rep), (refusal.Ref, refusal.Code, command));
    }

    [Fact]
    public void A_refused_subscription_names_SUB_and_carries_the_peers_ref()
    {
        _broker.From(1, Frames.Sub(7, 1, "bad..subject"));

        (EngineHarness.Refusal refusal, CommandCode command) = _broker.ExpectErrorNaming(1);
        Assert.Equal((7UL, ErrorCode.InvalidSubject, CommandCode.Sub), (refusal.Ref, refusal.Code, command));
    }

    [Fact]
    public void A_refusal_of_a_whole_frame_names_no_command()
    {
        _broker.From(1, [0x01]);

        (EngineHarness.Refusal refusal, CommandCode command) = _broker.ExpectErrorNaming(1);
        Assert.Equal((0UL, ErrorCode.Malformed, (CommandCode)0), (refusal.Ref, refusal.Code, command));
    }

    [Fact]
    public void A_malformed_command_after_a_good_one_does_not_inherit_its_name()
    {
        _broker.From(1, Frames.Batch(Frames.Ping(3), [0x01]));

        Assert.Equal(3UL, _broker.Expect(1, CommandCode.Ok).ReadUInt());
        Assert.Equal((CommandCode)0, _broker.ExpectErrorNaming(1).Command);
    }
}
