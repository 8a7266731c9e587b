using Mq.Broker.Server;
using Mq.Protocol;
using Mq.UnitTests.Engine;

namespace Mq.UnitTests.Security;

/// <summary>
/// With security on, the budgets of an identity span all its connections: how many sessions it may have and
/// how many subscriptions they hold together. Other identities are not affected.
/// </summary>
public sealed class IdentityBudgetTests : IDisposable
{
    private readonly PolicyFile _policy = new();
    private readonly EngineHarness _broker;

    public IdentityBudgetTests() =>
        _broker = new EngineHarness(new BrokerOptions { PolicyFile = _policy.Path, MaxConnectionsPerIdentity = 2, MaxSubscriptionsPerIdentity = 3 });

    public void Dispose() => _policy.Dispose();

    [Fact]
    public void An_identity_may_have_only_so_many_sessions_and_gets_one_back_when_another_ends()
    {
        _broker.Authenticate(1, "guest", _policy.Key("guest"));
        _broker.Authenticate(2, "guest", _policy.Key("guest"));

        byte[] nonce = _broker.Challenge(3);
        _broker.From(3, Frames.Auth("guest", _broker.Proof(3, _policy.Key("guest"), nonce, "guest")));
        EngineHarness.Refusal refused = _broker.ExpectError(3);
        Assert.Equal(ErrorCode.LimitExceeded, refused.Code);
        Assert.Contains("MaxConnectionsPerIdentity", refused.Message);
        _broker.From(3, Frames.Sub(1, 1, "public.news"));
        Assert.Equal(ErrorCode.HandshakeRequired, _broker.ExpectError(3).Code);

        _broker.Authenticate(4, "trusted", _policy.Key("trusted"));
        _broker.Disconnect(1);
        _broker.Authenticate(3, "guest", _policy.Key("guest"));
    }

    [Fact]
    public void Subscriptions_count_against_the_identity_across_its_connections()
    {
        _broker.Authenticate(1, "guest", _policy.Key("guest"));
        _broker.Authenticate(2, "guest", _policy.Key("guest"));
        _broker.Authenticate(3, "trusted", _policy.Key("trusted"));
        _broker.Subscribe(1, 1, "public.a");
        _broker.Subscribe(1, 2, "public.b");
        _broker.Subscribe(2, 1, "public.c");

        _broker.From(2, Frames.Sub(9, 2, "public.d"));
        EngineHarness.Refusal refused = _broker.ExpectError(2);
        Assert.Equal(ErrorCode.LimitExceeded, refused.Code);
        Assert.Contains("identity 'guest'", refused.Message);
        Assert.Contains("MaxSubscriptionsPerIdentity", refused.Message);

        for (ulong sid = 1; sid <= 3; sid++)
        {
            _broker.Subscribe(3, sid, $"public.{sid}");
        }

        // A session ending gives its share back to the identity.
        _broker.Disconnect(1);
        _broker.Subscribe(2, 2, "public.d");
    }
}
