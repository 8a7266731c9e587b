using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>
/// No frame the broker sends is larger than <see cref="ProtocolLimits.MaxFrameBytes"/> of the payload limit it
/// announced: peers set that as their maximum message size, and a larger frame would end their connection.
/// </summary>
public sealed class FrameSizeTests
{
    private readonly EngineHarness _broker = new(new BrokerOptions { MaxPayloadBytes = 128 * 1024, MaxBacklogBytes = 4 * 1024 * 1024 });
    private readonly long _limit;

    public FrameSizeTests()
    {
        _limit = ProtocolLimits.MaxFrameBytes(_broker.Options.MaxPayloadBytes);
        _broker.Connect(1, "publisher");
        _broker.Connect(2, "subscriber");
        _broker.Subscribe(2, 1, "x");
        _broker.Sent.Clear();
    }

    [Fact]
    public void A_largest_message_after_a_nearly_full_batch_travels_in_a_frame_of_its_own()
    {
        byte[] small = new byte[1000];
        byte[] largest = new byte[_broker.Options.MaxPayloadBytes];
        var commands = Enumerable.Range(0, 60).Select(_ => Frames.Pub("x", small)).Append(Frames.Pub("x", largest)).ToArray();

        _broker.From(1, Frames.Batch(commands));

        Assert.All(_broker.Sent, sent => Assert.InRange(sent.Frame.Length, 1, _limit));
        for (ulong seq = 1; seq <= 61; seq++)
        {
            Assert.Equal(seq, _broker.ExpectMsg(2).Seq);
        }
    }

    [Fact]
    public void A_backlog_larger_than_a_frame_is_sent_in_frames_peers_accept_and_in_order()
    {
        _broker.Serve(2, "svc");
        _broker.Sent.Clear();
        _broker.Outcome = SendOutcome.QueueFull;
        byte[] payload = new byte[100 * 1024];
        for (ulong rid = 1; rid <= 20; rid++)
        {
            _broker.From(1, Frames.Req(rid, "svc", payload: payload));
        }

        _broker.Outcome = SendOutcome.Sent;
        _broker.Tick(10);

        Assert.True(_broker.Sent.Count > 1);
        Assert.All(_broker.Sent, sent => Assert.InRange(sent.Frame.Length, 1, _limit));
        var bids = Enumerable.Range(0, 20).Select(_ => _broker.ExpectRequest(2).Bid).ToList();
        Assert.Equal(bids.Order(), bids);
    }
}
