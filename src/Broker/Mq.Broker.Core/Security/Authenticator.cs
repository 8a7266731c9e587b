using System.Security.Cryptography;
using Mq.Security;

namespace Mq.Broker.Security;

/// <summary>
/// Checks identity proofs against the policy and throttles guessing without locking anyone out. A source
/// (remote address) with no failed proof in the last minute is clean: its proofs are always verified at once,
/// whatever happens elsewhere. A source that failed recently is dirty: it gets a bucket of a few verifications,
/// refilled at one per backoff delay (doubling with each failure); none while the identity it claims has
/// emptied its own bucket the same way; and all dirty sources together at most
/// <c>maxDirtyVerificationsPerSecond</c>. So an attacker's work is bounded, and the real holder of an identity,
/// from any clean source, always gets in.
/// </summary>
internal sealed class Authenticator(SecurityPolicy policy, int maxDirtyVerificationsPerSecond)
{
    /// <summary>Sources, and identities, whose failures are remembered; past that the oldest are forgotten.</summary>
    public const int TrackedKeys = 4096;

    private readonly FailureTable _sources = new(TrackedKeys);
    private readonly FailureTable _identities = new(TrackedKeys);
    private long _windowStart;
    private int _dirtyVerifications;

    public SecurityPolicy Policy { get; set; } = policy;

    public static byte[] NewNonce() => RandomNumberGenerator.GetBytes(IdentityProof.NonceBytes);

    /// <summary>
    /// Why a proof from <paramref name="source"/> claiming <paramref name="identity"/> is refused unverified, or
    /// null when it may be verified now (which, for a dirty source, takes a verification from its bucket).
    /// </summary>
    public string? Throttled(string source, string identity, long now)
    {
        if (_sources.Dirty(source, now) is not { } dirty)
        {
            return null;
        }

        if (!dirty.HasToken(now))
        {
            return $"too many failed authentications from {source}; retry in {Seconds(dirty.MsToNextToken)} s";
        }

        FailureRecord? target = _identities.Dirty(identity, now);
        if (target is not null && !target.HasToken(now))
        {
            return $"too many failed authentications as '{identity}' from sources that failed before; retry in {Seconds(target.MsToNextToken)} s";
        }

        if (now - _windowStart >= 1000)
        {
            _windowStart = now;
            _dirtyVerifications = 0;
        }

        if (_dirtyVerifications >= maxDirtyVerificationsPerSecond)
        {
            return $"too many failed authentications on this broker; retry in {Seconds(_windowStart + 1000 - now)} s";
        }

        _dirtyVerifications++;
        dirty.Take();
        target?.Take();
        return null;
    }

    /// <summary>
    /// The identity if <paramref name="signature"/> proves it over the channel's hash and <paramref name="nonce"/>;
    /// else null, and the failure counts against the source and the identity.
    /// </summary>
    public PolicyIdentity? Verify(string source, string identity, ReadOnlySpan<byte> handshakeHash, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> signature, long now)
    {
        PolicyIdentity? known = Policy.Find(identity);
        if (known?.Key is not null && IdentityProof.Verify(known.Key, handshakeHash, nonce, identity, signature))
        {
            return known;
        }

        _sources.Fail(source, now);
        if (known is not null)
        {
            // Only identities of the policy: made-up names would only fill the table.
            _identities.Fail(identity, now);
        }

        return null;
    }

    private static long Seconds(long ms) => Math.Max(1, (ms + 999) / 1000);
}
