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

    /// <summary>
    /// Reads an identity's private key file. A missing or unreadable file, a directory, or content that is not a
    /// PEM ECDSA P-256 private key gives a <see cref="KeyFileException"/> naming the file and the problem, never the key.
    /// </summary>
    public static ECDsa LoadPrivateKeyFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new KeyFileException($"cannot read identity key file '{path}': it is a directory");
        }

        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new KeyFileException($"cannot read identity key file '{path}': {ex.Message}", ex);
        }

        return LoadPrivateKey(pem, $"identity key file '{path}'");
    }

    /// <summary>As <see cref="LoadPrivateKey(string)"/>, with a <see cref="KeyFileException"/> naming <paramref name="what"/> for damaged text.</summary>
    public static ECDsa LoadPrivateKey(string pem, string what)
    {
        ECDsa key;
        try
        {
            key = LoadPrivateKey(pem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new KeyFileException($"{what} does not hold a PEM ECDSA private key (as `Mq.Broker identity` writes it)", ex);
        }

        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new KeyFileException($"{what} holds a {key.KeySize}-bit key; identities are ECDSA P-256 keys");
        }

        return key;
    }

    private static byte[] Message(ReadOnlySpan<byte> handshakeHash, ReadOnlySpan<byte> nonce, string identity)
    {
        byte[] name = Encoding.UTF8.GetBytes(identity);
        return [.. Context, .. handshakeHash, .. nonce, .. name];
    }
}
