using System.Security.Cryptography;
using System.Text;

namespace Mq.Security;

/// <summary>
/// What a peer signs to prove its identity: a context string, the secure channel's handshake hash, the broker's
/// one-time nonce for this connection and the identity claimed. The hash binds the proof to the channel between
/// this peer and the broker that holds the pinned key, so a relay in between can neither read the proof nor pass it
/// off on a channel of its own; the nonce binds it to one handshake. ECDSA P-256 with SHA-256: the broker keeps
/// only public keys.
/// </summary>
public static class IdentityProof
{
    public const int NonceBytes = 32;

    private static readonly byte[] Context = "mq-auth-v2\0"u8.ToArray();

    public static byte[] Sign(ECDsa key, ReadOnlySpan<byte> handshakeHash, ReadOnlySpan<byte> nonce, string identity) =>
        key.SignData(Message(handshakeHash, nonce, identity), HashAlgorithmName.SHA256);

    public static bool Verify(ECDsa publicKey, ReadOnlySpan<byte> handshakeHash, ReadOnlySpan<byte> nonce, string identity, ReadOnlySpan<byte> signature) =>
        nonce.Length == NonceBytes && handshakeHash.Length == NoiseHandshake.KeyBytes
        && publicKey.VerifyData(Message(handshakeHash, nonce, identity), signature, HashAlgorithmName.SHA256);

    /// <summary>Reads a private key from PEM (PKCS#8 or SEC1), as <c>Mq.Broker identity</c> writes it.</summary>
    public static ECDsa LoadPrivateKey(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static byte[] Message(ReadOnlySpan<byte> handshakeHash, ReadOnlySpan<byte> nonce, string identity)
    {
        byte[] name = Encoding.UTF8.GetBytes(identity);
        return [.. Context, .. handshakeHash, .. nonce, .. name];
    }
}
