using System.Security.Cryptography;
using Mq.Security;

namespace Mq.Broker.Security;

/// <summary>
/// Checks identity proofs against the policy, and limits failures broker-wide: past
/// <c>maxFailuresPerSecond</c> failures in a second, handshakes are refused outright until the second is over,
/// so guessing is slow and cheap for the broker.
/// </summary>
internal sealed class Authenticator(SecurityPolicy policy, int maxFailuresPerSecond)
{
    private long _windowStart;
    private int _failures;

    public SecurityPolicy Policy { get; set; } = policy;

    public bool Throttled(long now) => now - _windowStart < 1000 && _failures >= maxFailuresPerSecond;

    public static byte[] NewNonce() => RandomNumberGenerator.GetBytes(IdentityProof.NonceBytes);

    /// <summary>The identity if <paramref name="signature"/> proves it over the channel's hash and <paramref name="nonce"/>; else null, counted as a failure.</summary>
    public PolicyIdentity? Verify(string identity, ReadOnlySpan<byte> handshakeHash, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> signature, long now)
    {
        PolicyIdentity? known = Policy.Find(identity);
        if (known is not null && IdentityProof.Verify(known.Key, handshakeHash, nonce, identity, signature))
        {
            return known;
        }

        if (now - _windowStart >= 1000)
        {
            _windowStart = now;
            _failures = 0;
        }

        _failures++;
        return null;
    }
}
