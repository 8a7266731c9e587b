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
    private static readonly string[] Public = ["public.>"];
    private static readonly string[] PublicFast = ["public.fast.>"];
    private readonly PolicyFile _policy = new();
    private static readonly NetMQ.NetMQCertificate BrokerKey = new();
    private readonly EngineHarness _broker;
    private readonly Dictionary<uint, byte[]> _hashes = [];

    public SecurityEngineTests()
    {
        _broker = new EngineHarness(new BrokerOptions
        {
            PolicyFile = _policy.Path,
            MaxAuthFailuresPerSecond = 5,
            Curve = new BrokerCurveOptions { SecretKey = BrokerKey.SecretKeyZ85 },
        });
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
        _broker.From(1, Frames.Auth("guest", Proof(1, "guest", nonce, "guest")));

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
        _broker.From(1, Frames.Auth(claimed, Proof(1, keyOf, nonce, claimed)));

        Assert.Equal(ErrorCode.Unauthenticated, _broker.ExpectError(1).Code);
        _broker.From(1, Frames.Sub(1, 1, "public.>"));
        Assert.Equal(ErrorCode.HandshakeRequired, _broker.ExpectError(1).Code);
    }

    [Fact]
    public void A_captured_proof_is_worthless_on_another_connection_and_a_second_time()
    {
        byte[] nonce = Challenge(1);
        byte[] proof = Proof(1, "trusted", nonce, "trusted");

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
        _broker.From(1, Frames.Auth("trusted", Proof(1, "trusted", anyNonce, "trusted")));
        Assert.Equal(ErrorCode.Malformed, _broker.ExpectError(1).Code);

        _broker.From(1, Frames.Sub(9, 1, "orders.>"));
        Assert.Equal(ErrorCode.PermissionDenied, _broker.ExpectError(1).Code);
    }

    [Fact]
    public void A_reply_to_the_old_session_does_not_reach_the_connection_while_it_authenticates_again()
    {
        Authenticate(1, "guest");
        Authenticate(2, "trusted");
        _broker.Serve(2, "billing.quote");
        _broker.From(1, Frames.Req(5, "billing.quote"));
        ulong bid = _broker.ExpectRequest(2).Bid;

        Challenge(1);
        _broker.From(2, Frames.Rep(bid, [7]));
        Assert.True(_broker.Idle(1));
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
    public void The_broker_services_under_SYS_need_request_permission_on_their_name()
    {
        Authenticate(1, "guest");
        Authenticate(2, "trusted");

        _broker.From(1, Frames.Req(6, SystemServices.Peers));
        EngineHarness.Answer denied = _broker.ExpectReply(1, 6);
        Assert.Equal(ErrorCode.PermissionDenied, denied.Status);
        Assert.Contains("request '$SYS.peers' is not allowed", denied.Error);

        _broker.From(2, Frames.Req(7, SystemServices.Info));
        EngineHarness.Answer info = _broker.ExpectReply(2, 7);
        Assert.Equal(ErrorCode.None, info.Status);
        Assert.Equal("secure channel and policy", MessagePack.MessagePackSerializer.Deserialize<Dictionary<string, object>>(info.Payload)["security"]);
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
    public void Flow_control_needs_a_flow_control_rule_and_losing_it_revokes_the_subscription()
    {
        Authenticate(1, "guest");
        _broker.From(1, Frames.Sub(9, 1, "public.news", window: 10));
        EngineHarness.Refusal refused = _broker.ExpectError(1);
        Assert.Equal((9UL, ErrorCode.PermissionDenied), (refused.Ref, refused.Code));
        Assert.Contains("flow control", refused.Message);
        _broker.Subscribe(1, 1, "public.news");

        _policy.Write(new
        {
            subscribe = new { allow = Public },
            flowControl = new { allow = Public, deny = PublicFast },
        });
        _broker.Tick(1000);
        _broker.From(1, Frames.Sub(10, 2, "public.slow", window: 10));
        _broker.SkipHeartbeats(1);
        Assert.Equal(10UL, _broker.Expect(1, CommandCode.Ok).ReadUInt());
        _broker.From(1, Frames.Sub(11, 3, "public.fast.ticks", window: 10));
        Assert.Equal(ErrorCode.PermissionDenied, _broker.ExpectError(1).Code);

        _policy.Write(PolicyFile.GuestRole());
        _broker.Tick(1000);
        _broker.SkipHeartbeats(1);
        CommandReader revoked = _broker.Expect(1, CommandCode.Revoked);
        Assert.Equal(2UL, revoked.ReadUInt());
        revoked.ReadStringOrNil(64);
        Assert.Contains("flow control on 'public.slow'", revoked.ReadString(1024));
        Assert.Equal(ErrorCode.PermissionDenied, (ErrorCode)revoked.ReadUInt());
        Assert.True(_broker.Idle(1), "the plain subscription stays");
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

    /// <summary>A proof as the peer on connection <paramref name="key"/> makes it: over that connection's channel hash.</summary>
    private byte[] Proof(uint key, string keyOf, byte[] nonce, string claimed) =>
        IdentityProof.Sign(_policy.Key(keyOf), _hashes[key], nonce, claimed);

    private byte[] Challenge(uint key)
    {
        if (!_hashes.ContainsKey(key))
        {
            _hashes[key] = _broker.Secure(key, BrokerKey.PublicKey);
        }

        _broker.From(key, Frames.Hello($"peer-{key}"));
        byte[] nonce = _broker.Expect(key, CommandCode.Challenge).ReadBinary().ToArray();
        return nonce;
    }

    private void Authenticate(uint key, string identity)
    {
        byte[] nonce = Challenge(key);
        _broker.From(key, Frames.Auth(identity, Proof(key, identity, nonce, identity)));
        _broker.Expect(key, CommandCode.Welcome);
    }
}
