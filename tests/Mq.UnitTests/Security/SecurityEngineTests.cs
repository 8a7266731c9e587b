using Mq.Broker.Server;
using Mq.Protocol;
using Mq.Security;
using Mq.UnitTests.Engine;

namespace Mq.UnitTests.Security;

/// <summary>
/// With a security policy: nothing before a proven identity, proofs bound to their connection, deny by default,
/// every route to a forbidden subject or service closed, and edits of the policy applied to live peers.
/// </summary>
public sealed class SecurityEngineTests : IDisposable
{
    private readonly PolicyFile _policy = new();
    private readonly EngineHarness _broker;

    public SecurityEngineTests()
    {
        _broker = new EngineHarness(new BrokerOptions { PolicyFile = _policy.Path, MaxAuthFailuresPerSecond = 5 });
    }

    public void Dispose() => _policy.Dispose();

    [Fact]
    public void Hello_is_answered_with_a_challenge_and_nothing_works_before_the_proof()
    {
        byte[] nonce = Challenge(1);
        Assert.Equal(IdentityProof.NonceBytes, nonce.Length);

        _broker.From(1, Frames.Sub(1, 1, "public.>"));
        Assert.Equal(ErrorCode.HandshakeRequired, _broker.ExpectError(1).Code);
        _broker.From(1, Frames.Pub("public.news", [1]));
        Assert.Equal(ErrorCode.HandshakeRequired, _broker.ExpectError(1).Code);
    }

    [Fact]
    public void A_valid_proof_is_welcomed_with_the_identity()
    {
        byte[] nonce = Challenge(1);
        _broker.From(1, Frames.Auth("guest", IdentityProof.Sign(_policy.Key("guest"), nonce, "guest")));

        CommandReader welcome = _broker.Expect(1, CommandCode.Welcome);
        welcome.ReadUInt();
        welcome.ReadString(ProtocolLimits.MaxNameBytes);
        Assert.Equal("guest", welcome.ReadSettings()["identity"]);
    }

    [Theory]
    [InlineData("guest", "trusted")]
    [InlineData("trusted", "guest")]
    [InlineData("nobody", "guest")]
    public void Claiming_an_identity_without_its_key_is_refused(string claimed, string keyOf)
    {
        byte[] nonce = Challenge(1);
        _broker.From(1, Frames.Auth(claimed, IdentityProof.Sign(_policy.Key(keyOf), nonce, claimed)));

        Assert.Equal(ErrorCode.Unauthenticated, _broker.ExpectError(1).Code);
        _broker.From(1, Frames.Sub(1, 1, "public.>"));
        Assert.Equal(ErrorCode.HandshakeRequired, _broker.ExpectError(1).Code);
    }

    [Fact]
    public void A_captured_proof_is_worthless_on_another_connection_and_a_second_time()
    {
        byte[] nonce = Challenge(1);
        byte[] proof = IdentityProof.Sign(_policy.Key("trusted"), nonce, "trusted");

        Challenge(2);
        _broker.From(2, Frames.Auth("trusted", proof));
        Assert.Equal(ErrorCode.Unauthenticated, _broker.ExpectError(2).Code);

        _broker.From(1, Frames.Auth("trusted", proof));
        _broker.Expect(1, CommandCode.Welcome);
        _broker.From(1, Frames.Hello("again"));
        _broker.Expect(1, CommandCode.Challenge);
        _broker.From(1, Frames.Auth("trusted", proof));
        Assert.Equal(ErrorCode.Unauthenticated, _broker.ExpectError(1).Code);
    }

    [Fact]
    public void Auth_without_an_outstanding_challenge_is_refused_and_changes_nothing()
    {
        Authenticate(1, "guest");
        byte[] anyNonce = new byte[IdentityProof.NonceBytes];
        _broker.From(1, Frames.Auth("trusted", IdentityProof.Sign(_policy.Key("trusted"), anyNonce, "trusted")));
        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(1).Code);

        _broker.From(1, Frames.Sub(9, 1, "orders.>"));
        Assert.Equal(ErrorCode.PermissionDenied, _broker.ExpectError(1).Code);
    }

    [Fact]
    public void Repeated_failures_are_throttled()
    {
        for (int i = 0; i < 5; i++)
        {
            Challenge(1);
            _broker.From(1, Frames.Auth("trusted", new byte[64]));
            Assert.Equal(ErrorCode.Unauthenticated, _broker.ExpectError(1).Code);
        }

        // Even the rightful owner waits out the rest of the second: the broker gives out no more challenges.
        _broker.From(2, Frames.Hello("trusted-peer"));
        EngineHarness.Refusal refused = _broker.ExpectError(2);
        Assert.Equal(ErrorCode.Unauthenticated, refused.Code);
        Assert.Contains("too many", refused.Message);

        _broker.Tick(1000);
        Authenticate(2, "trusted");
    }

    [Theory]
    [InlineData("orders.new")]
    [InlineData("orders.*")]
    [InlineData("orders.>")]
    [InlineData("*.new")]
    [InlineData(">")]
    public void A_guest_cannot_subscribe_to_what_it_may_not_read_by_any_pattern(string pattern)
    {
        Authenticate(1, "guest");
        _broker.From(1, Frames.Sub(9, 1, pattern, pattern == ">" ? "sneaky" : null));
        EngineHarness.Refusal refused = _broker.ExpectError(1);
        Assert.Equal(ErrorCode.PermissionDenied, refused.Code);
        Assert.Contains(pattern, refused.Message);
    }

    [Fact]
    public void Within_its_rights_a_guest_works_and_nothing_it_may_not_see_reaches_it()
    {
        Authenticate(1, "guest");
        Authenticate(2, "trusted");
        _broker.Subscribe(1, 1, "public.*.>");
        _broker.Subscribe(1, 2, "public.>", "readers");

        _broker.From(2, Frames.Pub("orders.new", [1]));
        _broker.From(2, Frames.Pub("public.news.today", [2]));
        Assert.Equal("public.news.today", _broker.ExpectMsg(1).Subject);
        Assert.Equal("public.news.today", _broker.ExpectMsg(1).Subject);
        Assert.True(_broker.Idle(1));
    }

    [Fact]
    public void A_guest_cannot_publish_serve_or_request_beyond_its_rights()
    {
        Authenticate(1, "guest");
        Authenticate(2, "trusted");
        _broker.Subscribe(2, 1, "orders.>");
        _broker.Serve(2, "billing.charge");

        _broker.From(1, Frames.Pub("orders.fake", [1]));
        Assert.Equal(ErrorCode.PermissionDenied, _broker.ExpectError(1).Code);
        Assert.True(_broker.Idle(2));

        // Serving the trusted service would hijack its requests.
        _broker.From(1, Frames.Serve(3, "billing.charge"));
        Assert.Equal(ErrorCode.PermissionDenied, _broker.ExpectError(1).Code);

        _broker.From(1, Frames.Req(4, "billing.charge"));
        EngineHarness.Answer reply = _broker.ExpectReply(1, 4);
        Assert.Equal(ErrorCode.PermissionDenied, reply.Status);
        Assert.True(_broker.Idle(2));

        // What it may request still works, answered by the trusted server.
        _broker.Serve(2, "billing.quote");
        _broker.From(1, Frames.Req(5, "billing.quote"));
        _broker.From(2, Frames.Rep(_broker.ExpectRequest(2).Bid, [7]));
        Assert.Equal(ErrorCode.None, _broker.ExpectReply(1, 5).Status);
    }

    [Fact]
    public void Narrowing_a_role_revokes_live_subscriptions_and_removing_an_identity_disconnects_it()
    {
        Authenticate(1, "guest");
        Authenticate(2, "trusted");
        _broker.Subscribe(1, 1, "public.news");
        _broker.Subscribe(1, 2, "public.weather");

        _policy.Write(PolicyFile.GuestRole("public.weather"));
        _broker.Tick(1000);
        _broker.SkipHeartbeats(1);
        CommandReader revoked = _broker.Expect(1, CommandCode.Revoked);
        Assert.Equal(1UL, revoked.ReadUInt());

        _broker.From(2, Frames.Pub("public.news", [1]));
        _broker.From(2, Frames.Pub("public.weather", [2]));
        Assert.Equal(2UL, _broker.ExpectMsg(1).Sid);
        Assert.True(_broker.Idle(1));

        _policy.Write(PolicyFile.GuestRole(), withGuest: false);
        _broker.Tick(1000);
        _broker.SkipHeartbeats(1);
        Assert.Contains("revoked", _broker.Expect(1, CommandCode.Bye).ReadString(1024));
        Assert.Equal(1, _broker.Engine.PeerCount);
        Assert.Equal([1u], _broker.Closed);
    }

    [Fact]
    public void A_broken_policy_edit_keeps_the_old_policy()
    {
        Authenticate(1, "guest");
        _broker.Subscribe(1, 1, "public.news");
        File.WriteAllText(_policy.Path, "{ not json");
        File.SetLastWriteTimeUtc(_policy.Path, DateTime.UtcNow.AddMinutes(1));
        _broker.Tick(1000);

        _broker.SkipHeartbeats(1);
        Assert.True(_broker.Idle(1));
        Authenticate(2, "trusted");
    }

    private byte[] Challenge(uint key)
    {
        _broker.From(key, Frames.Hello($"peer-{key}"));
        byte[] nonce = _broker.Expect(key, CommandCode.Challenge).ReadBinary().ToArray();
        return nonce;
    }

    private void Authenticate(uint key, string identity)
    {
        byte[] nonce = Challenge(key);
        _broker.From(key, Frames.Auth(identity, IdentityProof.Sign(_policy.Key(identity), nonce, identity)));
        _broker.Expect(key, CommandCode.Welcome);
    }
}
