using System.Security.Cryptography;
using System.Text;

namespace Mq.Security;

/// <summary>
/// What a peer signs to prove its identity: a context string, the broker's one-time nonce for this connection
/// and the identity claimed. The nonce binds the proof to one handshake, so a captured AUTH is worthless on any
/// other connection or session. ECDSA P-256 with SHA-256: the broker keeps only public keys.
/// </summary>
public static class IdentityProof
{
    public const int NonceBytes = 32;

    private static readonly byte[] Context = "mq-auth-v1\0"u8.ToArray();

    public static byte[] Sign(ECDsa key, ReadOnlySpan<byte> nonce, string identity) =>
        key.SignData(Message(nonce, identity), HashAlgorithmName.SHA256);

    public static bool Verify(ECDsa publicKey, ReadOnlySpan<byte> nonce, string identity, ReadOnlySpan<byte> signature) =>
        nonce.Length == NonceBytes && publicKey.VerifyData(Message(nonce, identity), signature, HashAlgorithmName.SHA256);

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

    private static byte[] Message(ReadOnlySpan<byte> nonce, string identity)
    {
        byte[] name = Encoding.UTF8.GetBytes(identity);
        return [.. Context, .. nonce, .. name];
    }
}
