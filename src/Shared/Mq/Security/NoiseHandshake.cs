using System.Security.Cryptography;
using NSec.Cryptography;
using ChaCha20Poly1305 = System.Security.Cryptography.ChaCha20Poly1305;
using IncrementalHash = System.Security.Cryptography.IncrementalHash;

namespace Mq.Security;

/// <summary>
/// The handshake of Mq's secure channel: Noise_NK_25519_ChaChaPoly_SHA256 (Noise spec revision 34). The peer
/// (initiator) knows the broker's static X25519 key (its CURVE key) in advance; <c>-&gt; e, es</c> then
/// <c>&lt;- e, ee</c>, empty payloads. The prologue is <c>"mq-secure-v1" 0x00</c> followed by the exact CONNECTED
/// frame the broker sent on this connection, so a tampered version list or broker name breaks the handshake.
/// Only the holder of the broker's secret key can produce a valid second message. One instance per handshake.
/// </summary>
internal sealed class NoiseHandshake : IDisposable
{
    public const int KeyBytes = 32;

    /// <summary>Both handshake messages: an ephemeral public key and the tag of the empty payload.</summary>
    public const int MessageBytes = KeyBytes + ChannelCipher.TagBytes;

    private static readonly KeyAgreementAlgorithm X25519 = KeyAgreementAlgorithm.X25519;
    private static readonly byte[] ProtocolName = "Noise_NK_25519_ChaChaPoly_SHA256"u8.ToArray();
    private static readonly byte[] PrologueContext = "mq-secure-v1\0"u8.ToArray();

    private readonly byte[] _h = new byte[KeyBytes];
    private readonly byte[] _ck = new byte[KeyBytes];
    private readonly Key _ephemeral;
    private readonly Key? _static;
    private readonly byte[] _remoteStatic;
    private byte[]? _k;
    private byte[]? _remoteEphemeral;
    private int _step;

    private NoiseHandshake(ReadOnlySpan<byte> responderStatic, ReadOnlySpan<byte> connectedFrame, Key? staticKey, Key? ephemeral)
    {
        // The protocol name is exactly HASHLEN bytes, so it is h itself, unhashed.
        ProtocolName.CopyTo(_h, 0);
        ProtocolName.CopyTo(_ck, 0);
        MixHash([.. PrologueContext, .. connectedFrame]);
        MixHash(responderStatic);
        _remoteStatic = responderStatic.ToArray();
        _static = staticKey;
        _ephemeral = ephemeral ?? Key.Create(X25519);
    }

    /// <summary>The peer's side. <paramref name="ephemeral"/> is for test vectors only.</summary>
    public static NoiseHandshake Initiator(ReadOnlySpan<byte> brokerPublicKey, ReadOnlySpan<byte> connectedFrame, Key? ephemeral = null)
    {
        if (brokerPublicKey.Length != KeyBytes)
        {
            throw new ArgumentException("the broker's public key must be 32 bytes", nameof(brokerPublicKey));
        }

        return new NoiseHandshake(brokerPublicKey, connectedFrame, null, ephemeral);
    }

    /// <summary>The broker's side, with its static key pair.</summary>
    public static NoiseHandshake Responder(Key brokerKey, ReadOnlySpan<byte> connectedFrame, Key? ephemeral = null) =>
        new(brokerKey.PublicKey.Export(KeyBlobFormat.RawPublicKey), connectedFrame, brokerKey, ephemeral);

    /// <summary>Imports a raw 32-byte X25519 secret key (a CURVE secret key).</summary>
    public static Key ImportSecretKey(ReadOnlySpan<byte> secret) => Key.Import(X25519, secret, KeyBlobFormat.RawPrivateKey);

    /// <summary>Initiator: <c>-&gt; e, es</c>.</summary>
    public byte[] WriteMessage1()
    {
        Expect(0, initiator: true);
        byte[] message = new byte[MessageBytes];
        WriteEphemeral(message);
        MixKey(Agree(_ephemeral, _remoteStatic) ?? throw new CryptographicException("the broker's public key is a low-order point"));
        EncryptEmpty(message.AsSpan(KeyBytes));
        return message;
    }

    /// <summary>Responder: reads <c>-&gt; e, es</c>; false if it was not made for this broker's key and this connection.</summary>
    public bool ReadMessage1(ReadOnlySpan<byte> message)
    {
        Expect(0, initiator: false);
        if (message.Length != MessageBytes || !ReadEphemeral(message))
        {
            return false;
        }

        byte[]? es = Agree(_static!, _remoteEphemeral!);
        if (es is null)
        {
            return false;
        }

        MixKey(es);
        return DecryptEmpty(message[KeyBytes..]);
    }

    /// <summary>Responder: <c>&lt;- e, ee</c>, and the channel (it sends with c2, receives with c1).</summary>
    public (byte[] Message, SecureChannel Channel) WriteMessage2()
    {
        Expect(1, initiator: false);
        byte[] message = new byte[MessageBytes];
        WriteEphemeral(message);
        MixKey(Agree(_ephemeral, _remoteEphemeral!)!);
        EncryptEmpty(message.AsSpan(KeyBytes));
        (ChannelCipher c1, ChannelCipher c2) = Split();
        return (message, new SecureChannel(send: c2, receive: c1, (byte[])_h.Clone()));
    }

    /// <summary>Initiator: reads <c>&lt;- e, ee</c>; the channel (sends with c1, receives with c2), or null if the sender does not hold the broker's key.</summary>
    public SecureChannel? ReadMessage2(ReadOnlySpan<byte> message)
    {
        Expect(1, initiator: true);
        if (message.Length != MessageBytes || !ReadEphemeral(message))
        {
            return null;
        }

        byte[]? ee = Agree(_ephemeral, _remoteEphemeral!);
        if (ee is null)
        {
            return null;
        }

        MixKey(ee);
        if (!DecryptEmpty(message[KeyBytes..]))
        {
            return null;
        }

        (ChannelCipher c1, ChannelCipher c2) = Split();
        return new SecureChannel(send: c1, receive: c2, (byte[])_h.Clone());
    }

    public void Dispose()
    {
        _ephemeral.Dispose();
        if (_k is not null)
        {
            CryptographicOperations.ZeroMemory(_k);
        }

        CryptographicOperations.ZeroMemory(_ck);
    }

    /// <summary>X25519, or null for an all-zero result (the other side sent a low-order point).</summary>
    private static byte[]? Agree(Key key, ReadOnlySpan<byte> publicKey)
    {
        if (!PublicKey.TryImport(X25519, publicKey, KeyBlobFormat.RawPublicKey, out PublicKey? other) || other is null)
        {
            return null;
        }

        var parameters = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using SharedSecret? secret = X25519.Agree(key, other, in parameters);
        if (secret is null)
        {
            return null;
        }

        byte[] dh = secret.Export(SharedSecretBlobFormat.RawSharedSecret);
        return dh.AsSpan().IndexOfAnyExcept((byte)0) < 0 ? null : dh;
    }

    private void Expect(int step, bool initiator)
    {
        if (_step != step || (_static is null) != initiator)
        {
            throw new InvalidOperationException("handshake messages out of order");
        }

        _step++;
    }

    private void WriteEphemeral(Span<byte> message)
    {
        byte[] e = _ephemeral.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        e.CopyTo(message);
        MixHash(e);
    }

    private bool ReadEphemeral(ReadOnlySpan<byte> message)
    {
        _remoteEphemeral = message[..KeyBytes].ToArray();
        MixHash(_remoteEphemeral);
        return true;
    }

    private void MixHash(ReadOnlySpan<byte> data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(_h);
        sha.AppendData(data);
        sha.GetHashAndReset(_h);
    }

    private void MixKey(ReadOnlySpan<byte> ikm)
    {
        Span<byte> output = stackalloc byte[2 * KeyBytes];
        Hkdf(ikm, output);
        output[..KeyBytes].CopyTo(_ck);
        _k = output[KeyBytes..].ToArray();
        CryptographicOperations.ZeroMemory(output);
    }

    /// <summary>
    /// Noise's HKDF(ck, ikm) with two outputs: temp = HMAC(ck, ikm), out1 = HMAC(temp, 0x01), out2 = HMAC(temp, out1 ‖ 0x02).
    /// Written out because OpenSSL's HKDF refuses the empty ikm of Split.
    /// </summary>
    private void Hkdf(ReadOnlySpan<byte> ikm, Span<byte> output)
    {
        Span<byte> temp = stackalloc byte[KeyBytes];
        Span<byte> block = stackalloc byte[KeyBytes + 1];
        HMACSHA256.HashData(_ck, ikm, temp);
        HMACSHA256.HashData(temp, [1], output[..KeyBytes]);
        output[..KeyBytes].CopyTo(block);
        block[KeyBytes] = 2;
        HMACSHA256.HashData(temp, block, output[KeyBytes..]);
        CryptographicOperations.ZeroMemory(temp);
        CryptographicOperations.ZeroMemory(block);
    }

    /// <summary>EncryptAndHash of the empty payload: its 16-byte tag under k with nonce 0 and h as associated data.</summary>
    private void EncryptEmpty(Span<byte> tag)
    {
        using var aead = new ChaCha20Poly1305(_k!);
        aead.Encrypt(stackalloc byte[12], [], [], tag[..ChannelCipher.TagBytes], _h);
        MixHash(tag[..ChannelCipher.TagBytes]);
    }

    private bool DecryptEmpty(ReadOnlySpan<byte> tag)
    {
        using var aead = new ChaCha20Poly1305(_k!);
        try
        {
            aead.Decrypt(stackalloc byte[12], [], tag, [], _h);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        MixHash(tag);
        return true;
    }

    private (ChannelCipher C1, ChannelCipher C2) Split()
    {
        Span<byte> output = stackalloc byte[2 * KeyBytes];
        Hkdf([], output);
        var keys = (new ChannelCipher(output[..KeyBytes].ToArray()), new ChannelCipher(output[KeyBytes..].ToArray()));
        CryptographicOperations.ZeroMemory(output);
        return keys;
    }
}
