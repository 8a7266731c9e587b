using Mq.Broker.Server;
using Mq.Broker.Transport;

namespace Mq.UnitTests.Transport;

/// <summary>Caps on pending handshakes (broker-wide and per source) and open connections (per source and broker-wide).</summary>
public sealed class ConnectionLimitsTests
{
    private readonly ConnectionLimits _limits = new(TransportSettings.From(new BrokerOptions
    {
        MaxPendingHandshakes = 4,
        MaxPendingHandshakesPerSource = 2,
        MaxConnectionsPerSource = 3,
        MaxConnections = 5,
    }));

    [Fact]
    public void Pending_handshakes_are_capped_per_source_and_broker_wide()
    {
        Admit("10.0.0.1");
        Admit("10.0.0.1");
        Assert.Contains("MaxPendingHandshakesPerSource", Refusal("10.0.0.1"));
        Admit("10.0.0.2");
        Admit("10.0.0.3");
        Assert.Contains("(MaxPendingHandshakes)", Refusal("10.0.0.4"));
        Assert.Equal(4, _limits.Pending);
    }

    [Fact]
    public void An_established_connection_frees_its_pending_slot_but_counts_as_open_until_released()
    {
        Admission first = Admit("10.0.0.1");
        Admission second = Admit("10.0.0.1");
        _limits.Established(first);
        _limits.Established(first);
        Assert.Equal(1, _limits.Pending);

        Admission third = Admit("10.0.0.1");
        _limits.Established(third);
        Assert.Contains("MaxConnectionsPerSource", Refusal("10.0.0.1"));
        _limits.Release(second);
        _limits.Release(second);
        Admit("10.0.0.1");
        Assert.Equal(3, _limits.Open);
        _limits.Release(third);
        _limits.Established(third);
        Assert.Equal(2, _limits.Open);
        Assert.Equal(1, _limits.Pending);
    }

    [Fact]
    public void Open_connections_are_capped_broker_wide_and_a_closed_one_gives_its_place_back()
    {
        var admitted = new List<Admission>();
        for (int i = 1; i <= 5; i++)
        {
            admitted.Add(Admit($"10.0.0.{i}"));
            _limits.Established(admitted[^1]);
        }

        Assert.Contains("(MaxConnections)", Refusal("10.0.0.6"));
        _limits.Release(admitted[0]);
        Admit("10.0.0.6");
    }

    private Admission Admit(string source)
    {
        Admission? admission = _limits.TryAdmit(source, out string? refusal);
        Assert.Null(refusal);
        return admission!;
    }

    private string Refusal(string source)
    {
        Assert.Null(_limits.TryAdmit(source, out string? refusal));
        return refusal!;
    }
}
