using Mq.Client.Connection;
using Mq.Protocol;
using Mq.Security;
using NSec.Cryptography;

namespace Mq.UnitTests.Client;

/// <summary>The peer's end of the secure channel: only the key's holder completes it, and refusals back off.</summary>
public sealed class PeerChannelTests
{
    private static readonly byte[] Connected = Convert.FromHexString("93019101a96d712d62726f6b6572");

    [Fact]
    public void Refusals_back_off_doubling_to_the_maximum_and_a_completed_channel_starts_over()
    {
        using Key broker = Key.Create(KeyAgreementAlgorithm.X25519);
        using var channel = new PeerChannel(broker.PublicKey.Export(KeyBlobFormat.RawPublicKey), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(350));

        Assert.Equal([100, 200, 350, 350], Enumerable.Range(0, 4).Select(_ => channel.Fail("no").TotalMilliseconds));
        Assert.Equal("no", channel.LastFailure);

        byte[] message1 = channel.Start(Connected);
        using var responder = NoiseHandshake.Responder(broker, Connected);
        Assert.True(responder.ReadMessage1(message1));
        (byte[] message2, SecureChannel brokerSide) = responder.WriteMessage2();
        Assert.True(channel.Finish(message2));
        Assert.Equal(brokerSide.HandshakeHash, channel.Channel!.HandshakeHash);
        Assert.Null(channel.LastFailure);
        Assert.Equal(100, channel.Fail("again").TotalMilliseconds);
        brokerSide.Dispose();
    }

    [Fact]
    public void An_answer_from_anyone_but_the_key_holder_leaves_no_channel()
    {
        using Key broker = Key.Create(KeyAgreementAlgorithm.X25519);
        using Key impostor = Key.Create(KeyAgreementAlgorithm.X25519);
        using var channel = new PeerChannel(broker.PublicKey.Export(KeyBlobFormat.RawPublicKey), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
        byte[] message1 = channel.Start(Connected);
        using var fake = NoiseHandshake.Responder(impostor, Connected);
        fake.ReadMessage1(message1);
        (byte[] answer, SecureChannel fakeSide) = fake.WriteMessage2();
        fakeSide.Dispose();

        Assert.False(channel.Finish(answer));
        Assert.Null(channel.Channel);
        Assert.False(channel.Finish(new byte[NoiseHandshake.MessageBytes])); // no handshake in progress any more
        Assert.Equal(ProtocolLimits.ChannelOverhead, ChannelCipher.TagBytes);
    }
}
