using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Mq.Security;

/// <summary>
/// One direction of the secure channel after the handshake (a Noise CipherState): ChaCha20-Poly1305 with the
/// 96-bit nonce 4 zero bytes ‖ 64-bit little-endian counter, empty associated data, one nonce per frame.
/// Sealing does not advance the counter: the caller advances it once the frame has really left, so a frame the
/// socket refused can be sealed again under the same nonce, and no nonce ever covers two different frames.
/// </summary>
internal sealed class ChannelCipher(byte[] key) : IDisposable
{
    public const int TagBytes = 16;

    private readonly ChaCha20Poly1305 _aead = new(key);
    private readonly byte[] _nonce = new byte[12];

    /// <summary>The counter the next frame uses; each direction starts at 0.</summary>
    public ulong Counter { get; private set; }

    /// <summary>Writes the ciphertext of <paramref name="plaintext"/> and its tag (plaintext length + 16 bytes) to <paramref name="destination"/>.</summary>
    public void Seal(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        SetNonce(Counter);
        _aead.Encrypt(_nonce, plaintext, destination[..plaintext.Length], destination.Slice(plaintext.Length, TagBytes));
    }

    /// <summary>The frame sealed last has left: the next one takes the next nonce.</summary>
    public void Advance()
    {
        // 2^64-1 is reserved by Noise; no connection lives to send that many frames, but never wrap.
        if (Counter == ulong.MaxValue - 1)
        {
            throw new CryptographicException("the secure channel ran out of nonces");
        }

        Counter++;
    }

    /// <summary>
    /// Authenticates and decrypts one frame (ciphertext ‖ tag) into <paramref name="plaintext"/> (the frame's length
    /// less 16; it may be the frame's own memory) and advances the counter. False when the frame was altered, replayed,
    /// reordered or sealed with other keys; the plaintext is then cleared.
    /// </summary>
    public bool TryOpen(ReadOnlySpan<byte> frame, Span<byte> plaintext)
    {
        if (frame.Length < TagBytes)
        {
            return false;
        }

        int length = frame.Length - TagBytes;
        SetNonce(Counter);
        try
        {
            _aead.Decrypt(_nonce, frame[..length], frame[length..], plaintext[..length]);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        Advance();
        return true;
    }

    public void Dispose() => _aead.Dispose();

    private void SetNonce(ulong counter) => BinaryPrimitives.WriteUInt64LittleEndian(_nonce.AsSpan(4), counter);
}
