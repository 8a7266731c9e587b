using Mq.Protocol;
using Mq.Security;
using NSec.Cryptography;

namespace Mq.UnitTests.Security;

/// <summary>
/// The Noise NK handshake and transport ciphers against a vector computed independently, with Python's
/// <c>cryptography</c> package (tests/python/secure_peer.py --vector, which runs both sides itself), and the ways a
/// transport frame can be attacked.
/// </summary>
public sealed class NoiseHandshakeTests
{
    private const string Msg1 = "5869aff450549732cbaaed5e5df9b30a6da31cb0e5742bad5ad4a1a768f1a67bc85d91da59ce3c9e10d547a3ff630a9f";
    private const string Msg2 = "64b101b1d0be5a8704bd078f9895001fc03e8e9f9522f188dd128d9846d484661d689e5f6a1b40073531956feb6ffe4b";
    private const string Hash = "589704dd11efcc5c4ae90933295e2badbca1240a67c207b2d244bd7e23e86cd9";
    private const string PingFrame0 = "4caf2ac22876d56d5f3f19b595b373e278b8d6"; // PING 7 sealed with c1, nonce 0
    private const string PingFrame1 = "00c037219868d51329c1cc2383b86bf290d9fa"; // the same, nonce 1
    private const string OkFrame0 = "753e439037059d5c91f8ec3da8259af69841d5";   // OK 7 sealed with c2, nonce 0

    private static readonly byte[] Connected = Convert.FromHexString("93019101a96d712d62726f6b6572");
    private static readonly byte[] Ping7 = [0x92, 0x08, 0x07];
    private static readonly byte[] Ok7 = [0x92, 0x06, 0x07];

    [Fact]
    public void Both_sides_produce_the_independent_vector_byte_for_byte()
    {
        using Key broker = Fixed(1);
        using var peer = NoiseHandshake.Initiator(broker.PublicKey.Export(KeyBlobFormat.RawPublicKey), Connected, Fixed(33));
        using var responder = NoiseHandshake.Responder(broker, Connected, Fixed(65));

        byte[] msg1 = peer.WriteMessage1();
        Assert.Equal(Msg1, Convert.ToHexStringLower(msg1));
        Assert.True(responder.ReadMessage1(msg1));
        (byte[] msg2, SecureChannel brokerSide) = responder.WriteMessage2();
        Assert.Equal(Msg2, Convert.ToHexStringLower(msg2));
        using SecureChannel peerSide = peer.ReadMessage2(msg2)!;
        Assert.Equal(Hash, Convert.ToHexStringLower(peerSide.HandshakeHash));
        Assert.Equal(Hash, Convert.ToHexStringLower(brokerSide.HandshakeHash));

        Assert.Equal(PingFrame0, Convert.ToHexStringLower(SealAndAdvance(peerSide.Send, Ping7)));
        Assert.Equal(PingFrame1, Convert.ToHexStringLower(SealAndAdvance(peerSide.Send, Ping7)));
        Assert.Equal(OkFrame0, Convert.ToHexStringLower(SealAndAdvance(brokerSide.Send, Ok7)));
        Assert.Equal(Ping7, Open(brokerSide.Receive, Convert.FromHexString(PingFrame0)));
        brokerSide.Dispose();
    }

    [Fact]
    public void A_handshake_for_another_broker_key_or_another_connected_frame_fails()
    {
        using Key broker = Fixed(1);
        using Key other = Fixed(2);
        using var wrongKey = NoiseHandshake.Initiator(other.PublicKey.Export(KeyBlobFormat.RawPublicKey), Connected);
        using var responder = NoiseHandshake.Responder(broker, Connected);
        Assert.False(responder.ReadMessage1(wrongKey.WriteMessage1()));

        byte[] tamperedConnected = [.. Connected];
        tamperedConnected[^1] ^= 1; // the broker's name as a relay rewrote it
        using var tampered = NoiseHandshake.Initiator(broker.PublicKey.Export(KeyBlobFormat.RawPublicKey), tamperedConnected);
        using var responder2 = NoiseHandshake.Responder(broker, Connected);
        Assert.False(responder2.ReadMessage1(tampered.WriteMessage1()));
    }

    [Fact]
    public void An_impostor_without_the_secret_key_cannot_answer_the_peer()
    {
        using Key broker = Fixed(1);
        using Key impostor = Fixed(3);
        using var peer = NoiseHandshake.Initiator(broker.PublicKey.Export(KeyBlobFormat.RawPublicKey), Connected);
        byte[] msg1 = peer.WriteMessage1();

        // The impostor runs the responder with its own key: its answer does not complete the peer's handshake.
        using var fake = NoiseHandshake.Responder(impostor, Connected);
        fake.ReadMessage1(msg1);
        (byte[] answer, SecureChannel fakeChannel) = fake.WriteMessage2();
        fakeChannel.Dispose();
        Assert.Null(peer.ReadMessage2(answer));
    }

    [Fact]
    public void A_low_order_ephemeral_key_is_refused()
    {
        using Key broker = Fixed(1);
        using var responder = NoiseHandshake.Responder(broker, Connected);
        byte[] msg1 = new byte[NoiseHandshake.MessageBytes]; // the all-zero point: every DH with it is zero
        Assert.False(responder.ReadMessage1(msg1));
    }

    [Fact]
    public void Tampered_replayed_and_reordered_frames_do_not_open()
    {
        (SecureChannel peer, SecureChannel broker) = Pair();
        byte[] first = SealAndAdvance(peer.Send, [0x91, 0x04]);
        byte[] second = SealAndAdvance(peer.Send, Ping7);

        Assert.Null(Open(broker.Receive, second));         // reordered: nonce 0 expected
        byte[] flipped = [.. first];
        flipped[0] ^= 0x40;
        Assert.Null(Open(broker.Receive, flipped));        // one flipped bit
        Assert.Equal([0x91, 0x04], Open(broker.Receive, first));
        Assert.Null(Open(broker.Receive, first));          // replayed
        Assert.Equal(Ping7, Open(broker.Receive, second));
        Assert.Null(Open(broker.Receive, second[..^1]));   // truncated
        peer.Dispose();
        broker.Dispose();
    }

    [Fact]
    public void Sealing_again_without_advancing_gives_the_same_frame()
    {
        (SecureChannel peer, SecureChannel broker) = Pair();
        byte[] a = new byte[Ping7.Length + ProtocolLimits.ChannelOverhead];
        byte[] b = new byte[a.Length];
        peer.Send.Seal(Ping7, a);
        peer.Send.Seal(Ping7, b);
        Assert.Equal(a, b);
        Assert.Equal(0UL, peer.Send.Counter);
        peer.Dispose();
        broker.Dispose();
    }

    internal static (SecureChannel Peer, SecureChannel Broker) Pair()
    {
        using Key brokerKey = Key.Create(KeyAgreementAlgorithm.X25519);
        using var peer = NoiseHandshake.Initiator(brokerKey.PublicKey.Export(KeyBlobFormat.RawPublicKey), Connected);
        using var responder = NoiseHandshake.Responder(brokerKey, Connected);
        Assert.True(responder.ReadMessage1(peer.WriteMessage1()));
        (byte[] msg2, SecureChannel broker) = responder.WriteMessage2();
        return (peer.ReadMessage2(msg2)!, broker);
    }

    private static Key Fixed(byte first) =>
        NoiseHandshake.ImportSecretKey(Enumerable.Range(first, 32).Select(i => (byte)i).ToArray());

    private static byte[] SealAndAdvance(ChannelCipher cipher, byte[] plaintext)
    {
        byte[] frame = new byte[plaintext.Length + ChannelCipher.TagBytes];
        cipher.Seal(plaintext, frame);
        cipher.Advance();
        return frame;
    }

    private static byte[]? Open(ChannelCipher cipher, byte[] frame)
    {
        byte[] plaintext = new byte[Math.Max(0, frame.Length - ChannelCipher.TagBytes)];
        return cipher.TryOpen(frame, plaintext) ? plaintext : null;
    }
}
