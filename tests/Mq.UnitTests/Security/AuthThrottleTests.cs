using Mq.Broker.Security;
using Mq.Broker.Server;
using Mq.Protocol;
using Mq.Security;
using Mq.UnitTests.Engine;

namespace Mq.UnitTests.Security;

/// <summary>
/// Guessing is throttled per connection, per source and per claimed identity, under a broker-wide ceiling for
/// sources that failed before; a valid proof from a clean source is always verified, so no attack locks the
/// real holder of an identity out.
/// </summary>
public sealed class AuthThrottleTests : IDisposable
{
    private const string Attacker = "10.0.0.1";
    private const int Ceiling = 5;
    private readonly PolicyFile _policy = new();
    private readonly EngineHarness _broker;
    private uint _lastKey = 1000;

    public AuthThrottleTests()
    {
        _broker = new EngineHarness(new BrokerOptions { PolicyFile = _policy.Path, MaxAuthFailuresPerSecond = Ceiling, MaxAuthFailuresPerConnection = 3 });
    }

    public void Dispose() => _policy.Dispose();

    [Fact]
    public void A_connection_gets_a_few_attempts_then_no_more_challenges()
    {
        _broker.Open(1, Attacker);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            Challenge(1);
            _broker.From(1, Frames.Auth("trusted", new byte[64]));
            Assert.Equal(ErrorCode.Unauthenticated, _broker.ExpectError(1).Code);
        }

        _broker.From(1, Frames.Hello("again"));
        EngineHarness.Refusal refused = _broker.ExpectError(1);
        Assert.Equal(ErrorCode.Unauthenticated, refused.Code);
        Assert.Contains("on this connection", refused.Message);
        Assert.True(_broker.Idle(1));

        Assert.True(TryAuthenticate("10.0.0.2", "trusted", valid: true, out _));
    }

    [Fact]
    public void Two_hundred_challenges_answered_together_from_one_source_cost_three_verifications()
    {
        uint[] connections = Enumerable.Range(0, 200).Select(_ => Open(Attacker)).ToArray();
        byte[][] nonces = connections.Select(Challenge).ToArray();

        for (int i = 0; i < connections.Length; i++)
        {
            // The first three answers are verified (the source's burst); the rest are refused unverified, valid or not.
            bool verified = i < FailureTable.Burst;
            _broker.From(connections[i], Frames.Auth("guest", verified ? new byte[64] : _broker.Proof(connections[i], _policy.Key("guest"), nonces[i], "guest")));
            EngineHarness.Refusal refused = _broker.ExpectError(connections[i]);
            Assert.Equal(ErrorCode.Unauthenticated, refused.Code);
            Assert.Contains(verified ? "authentication as 'guest' failed" : $"too many failed authentications from {Attacker}; retry in 1 s", refused.Message);
        }

        Assert.True(TryAuthenticate("10.0.0.2", "guest", valid: true, out _));
    }

    [Fact]
    public void A_brute_force_from_one_source_backs_off_while_other_sources_get_in_at_once()
    {
        int verified = 0;
        for (int round = 0; round < 100; round++)
        {
            // 10 s of guessing at 10 tries a second, each on a new connection so the per-connection cap does not end it.
            if (!TryAuthenticate(Attacker, "trusted", valid: false, out string message) && message.Contains("failed: unknown identity or wrong key"))
            {
                verified++;
            }
            else
            {
                // Its own bucket is empty, or that of the identity it keeps guessing.
                Assert.Matches($"too many failed authentications (from {Attacker}|as 'trusted' from sources that failed before); retry in [1-8] s", message);
            }

            if (round % 10 == 0)
            {
                Assert.True(TryAuthenticate($"10.0.1.{round}", "trusted", valid: true, out _));
            }

            _broker.Tick(100);
        }

        // Verified at 0 (clean), 0.1 and 0.2 s (the burst), then one per backoff, which doubles with each failure:
        // 1.2 s (1 s after the third), 3.2 s (2 s after the fourth) and 7.2 s (4 s after the fifth); the next is 8 s later.
        Assert.Equal(6, verified);

        // A valid proof from the dirty source waits its turn like the guesses; after a quiet minute it is clean.
        Assert.False(TryAuthenticate(Attacker, "trusted", valid: true, out string waiting));
        Assert.Contains("retry in", waiting);
        _broker.Tick(60_000);
        Assert.True(TryAuthenticate(Attacker, "trusted", valid: true, out _));
    }

    [Fact]
    public void A_brute_force_from_many_sources_is_bounded_and_the_holder_still_gets_in()
    {
        uint[] connections = Enumerable.Range(1, 200).Select(i => Open($"10.2.0.{i}")).ToArray();

        // First wave: every source is clean, so every guess is verified (and fails).
        Assert.All(Wave(connections, "trusted"), message => Assert.Contains("authentication as 'trusted' failed", message));
        Assert.True(TryAuthenticate("10.3.0.1", "trusted", valid: true, out _));

        // Second wave: each source has verifications left, but the identity's own bucket (for dirty sources only)
        // has the two of its burst, and then none.
        _broker.Tick(300);
        string[] second = Wave(connections, "trusted");
        Assert.Equal(FailureTable.Burst - 1, second.Count(message => message.Contains("authentication as 'trusted' failed")));
        Assert.Equal(connections.Length - FailureTable.Burst + 1, second.Count(message => message.Contains("as 'trusted' from sources that failed before")));
        Assert.True(TryAuthenticate("10.3.0.2", "trusted", valid: true, out _));

        // Third wave, a second later, on names the policy does not know: the broker-wide ceiling bounds the dirty sources' work.
        _broker.Tick(1000);
        string[] third = Wave(connections, "nobody");
        Assert.Equal(Ceiling, third.Count(message => message.Contains("authentication as 'nobody' failed")));
        Assert.Equal(connections.Length - Ceiling, third.Count(message => message.Contains("on this broker; retry in 1 s")));
        Assert.True(TryAuthenticate("10.3.0.3", "trusted", valid: true, out _));
    }

    private string[] Wave(uint[] connections, string identity)
    {
        foreach (uint key in connections)
        {
            Challenge(key);
        }

        var messages = new string[connections.Length];
        for (int i = 0; i < connections.Length; i++)
        {
            _broker.From(connections[i], Frames.Auth(identity, new byte[64]));
            EngineHarness.Refusal refused = _broker.ExpectError(connections[i]);
            Assert.Equal(ErrorCode.Unauthenticated, refused.Code);
            messages[i] = refused.Message;
        }

        return messages;
    }

    private uint Open(string source)
    {
        uint key = ++_lastKey;
        _broker.Open(key, source);
        return key;
    }

    private byte[] Challenge(uint key) => _broker.Challenge(key);

    /// <summary>A new connection from <paramref name="source"/> answers its challenge; true if welcomed, else the refusal's message.</summary>
    private bool TryAuthenticate(string source, string identity, bool valid, out string refusal)
    {
        uint key = Open(source);
        byte[] nonce = Challenge(key);
        _broker.From(key, Frames.Auth(identity, valid ? _broker.Proof(key, _policy.Key(identity), nonce, identity) : new byte[64]));
        if (_broker.Pending(key).FirstOrDefault() == CommandCode.Welcome)
        {
            _broker.Expect(key, CommandCode.Welcome);
            refusal = "";
            return true;
        }

        EngineHarness.Refusal refused = _broker.ExpectError(key);
        Assert.Equal(ErrorCode.Unauthenticated, refused.Code);
        refusal = refused.Message;
        return false;
    }
}
