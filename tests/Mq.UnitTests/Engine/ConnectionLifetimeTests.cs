using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.UnitTests.Engine;

/// <summary>The engine owns connection lifetime: it reports Ready to the transport, and closes what it forgets.</summary>
public sealed class ConnectionLifetimeTests
{
    private readonly EngineHarness _broker = new(new BrokerOptions
    {
        HeartbeatInterval = TimeSpan.FromMilliseconds(100),
        PeerTimeout = TimeSpan.FromSeconds(10),
        HandshakeTimeout = TimeSpan.FromSeconds(2),
    });

    [Fact]
    public void A_connection_that_never_says_hello_is_closed_at_the_handshake_deadline_and_counted()
    {
        _broker.Open(1);
        _broker.Tick(1_900);
        Assert.Empty(_broker.Closed);

        _broker.Tick(200);
        Assert.Equal([1u], _broker.Closed);
        Assert.Equal(1, _broker.Engine.GetStats().HandshakesTimedOut);
        Assert.Equal(0, _broker.Engine.PeerCount);
    }

    [Fact]
    public void A_session_ready_in_time_is_reported_established_and_kept_past_the_deadline()
    {
        _broker.Connect(1);
        Assert.Equal([1u], _broker.Established);

        _broker.Tick(2_500);
        Assert.Empty(_broker.Closed);
        Assert.Equal(1, _broker.Engine.PeerCount);
    }

    [Fact]
    public void A_peer_silent_past_its_timeout_is_closed()
    {
        _broker.Connect(1);
        _broker.Tick(10_100);
        Assert.Equal([1u], _broker.Closed);
        Assert.Equal(1, _broker.Engine.GetStats().PeersTimedOut);
    }

    [Fact]
    public void After_bye_the_connection_stays_open_with_a_new_session_under_a_new_deadline()
    {
        _broker.Connect(1);
        _broker.From(1, Frames.Bye());
        Assert.Empty(_broker.Closed);

        _broker.From(1, Frames.Ping(5));
        Assert.Equal(ErrorCode.HandshakeRequired, _broker.ExpectError(1).Code);
        _broker.Tick(2_100);
        Assert.Equal([1u], _broker.Closed);
    }

    [Fact]
    public void Frames_of_a_connection_the_engine_closed_are_not_read()
    {
        _broker.Open(1);
        _broker.Tick(2_100);
        _broker.Engine.OnFrame(1, Frames.Hello(), _broker.Now);
        _broker.Engine.Flush(_broker.Now);

        Assert.True(_broker.Idle(1));
        Assert.Equal(0, _broker.Engine.PeerCount);
    }
}
