using System.Buffers.Binary;
using MessagePack;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;
using Mq.Security;
using Mq.Testing;
using Mq.TestSupport;
using Xunit.Abstractions;

namespace Mq.IntegrationTests.Processes;

/// <summary>
/// The subscription-memory attack of issue #11 against a broker process with default budgets: tens of thousands
/// of maximum-length patterns (256 bytes, every one different from its second token on, the subject index's
/// worst case), each connection within <c>MaxSubscriptionsPerPeer</c>. Beyond the identity's and the broker's
/// budgets every SUB is refused with LimitExceeded naming the budget, the broker's peak RSS stays under idle +
/// 256 MB, and a trusted publisher keeps reaching a trusted subscriber with nothing lost.
/// </summary>
public sealed class SubscriptionBudgetTests(ITestOutputHelper output)
{
    private const int PerConnection = 10_000;
    private const int SubsPerFrame = 200;
    private const long RssBoundKb = 256 * 1024;

    // Each costs 512 + 4 × 256 bytes of budget; the defaults allow 32 MiB per identity and 128 MiB in all.
    private const long Cost = 1536;

    // The trusted reader's own subscription to "orders.flow" counts towards the broker's total too.
    private const long TrustedCost = 512 + 4 * 11;

    [Fact]
    public async Task Forty_thousand_long_subscriptions_of_one_identity_over_four_connections_stop_at_its_budget()
    {
        // The raw attackers send no heartbeats while the others are busy: the broker is told to wait for them.
        await using SecuredBroker broker = await SecuredBroker.StartAsync("--Broker:PeerTimeout=00:05:00");
        MqClientOptions trusted = broker.ClientOptions("trusted");

        Outcome outcome = await AttackWhileTrustedPeersFlowAsync(broker.Process, trusted, connections: 4, connect: peer =>
        {
            peer.Secure(broker.BrokerPublicKey);
            peer.Send((ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, ProtocolVersion.Current, "attacker", null));
            byte[] nonce = peer.Expect(CommandCode.Challenge).Reader().ReadBinary().ToArray();
            using var key = System.Security.Cryptography.ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(broker.KeyFile("guest")));
            byte[] proof = IdentityProof.Sign(key, peer.HandshakeHash, nonce, "guest");
            peer.Send((ref MessagePackWriter w) => CommandWriter.WriteAuth(ref w, "guest", proof));
            peer.Expect(CommandCode.Welcome);
        });

        long allowed = 32L * 1024 * 1024 / Cost;
        Assert.Equal(allowed, outcome.Accepted);
        Assert.Equal(4 * PerConnection - allowed, outcome.Refused);
        Assert.Equal(["MaxSubscriptionBytesPerIdentity"], outcome.Budgets);
    }

    [Fact]
    public async Task Long_subscriptions_spread_over_many_identities_stop_at_the_brokers_total()
    {
        // Without a policy each connection is its own identity: ten of them ask for 100,000 subscriptions in all.
        (PeerProcess process, string endpoint) = await BrokerProcess.StartAsync("tcp://127.0.0.1:0", "--Broker:PeerTimeout=00:05:00");
        await using (process)
        {
            Outcome outcome = await AttackWhileTrustedPeersFlowAsync(process, MqClientOptions.Default with { Endpoint = endpoint }, connections: 10,
                connect: peer => peer.Handshake("attacker"));

            long allowed = (128L * 1024 * 1024 - TrustedCost) / Cost;
            Assert.Equal(allowed, outcome.Accepted);
            Assert.Equal(10 * PerConnection - allowed, outcome.Refused);
            Assert.Equal(["MaxSubscriptionBytesTotal"], outcome.Budgets);
        }
    }

    [Fact]
    public async Task An_identity_gets_no_more_sessions_than_its_budget_and_others_are_not_affected()
    {
        await using SecuredBroker broker = await SecuredBroker.StartAsync("--Broker:MaxConnectionsPerIdentity=2");
        MqClientOptions guest = broker.ClientOptions("guest");
        await using MqClient first = await MqClient.ConnectAsync(guest with { Name = "guest-1" });
        await using (MqClient second = await MqClient.ConnectAsync(guest with { Name = "guest-2" }))
        {
            Mq.Errors.MqException refused = await Assert.ThrowsAnyAsync<Mq.Errors.MqException>(async () => await MqClient.ConnectAsync(guest with { Name = "guest-3" }));
            Assert.Equal(ErrorCode.LimitExceeded, refused.Code);
            Assert.Contains("MaxConnectionsPerIdentity", refused.Message);
            await using MqClient trusted = await MqClient.ConnectAsync(guest with { Name = "trusted", Identity = "trusted", IdentityKeyFile = broker.KeyFile("trusted") });
            Assert.NotNull(trusted.PeerId);
        }

        // The second session's end gave its place back.
        await using MqClient third = await MqClient.ConnectAsync(guest with { Name = "guest-3" });
        Assert.NotNull(third.PeerId);
    }

    /// <summary>256 bytes, 122 tokens, different from every other pattern from its second token on.</summary>
    private static string Pattern(int connection, int index) => $"public.c{connection}n{index:D5}{Filler}a";

    private static readonly string Filler = string.Concat(Enumerable.Repeat(".a", 120));

    /// <summary>
    /// Trusted peers publish and receive throughout while <paramref name="connections"/> raw connections each
    /// send <see cref="PerConnection"/> SUBs and stay open; checks the trusted flow and the broker's memory.
    /// </summary>
    private async Task<Outcome> AttackWhileTrustedPeersFlowAsync(PeerProcess broker, MqClientOptions trusted, int connections, Action<RawPeer> connect)
    {
        await using MqClient publisher = await MqClient.ConnectAsync(trusted with { Name = "trusted-publisher" });
        await using MqClient reader = await MqClient.ConnectAsync(trusted with { Name = "trusted-reader", SubscriptionCapacity = 1_000_000 });
        await using MqSubscription feed = await reader.SubscribeAsync("orders.flow");
        long idleKb = ProcStatus.RssKb(broker.Id);

        using var stop = new CancellationTokenSource();
        Task<int> publishing = Task.Run(async () =>
        {
            int sent = 0;
            while (!stop.IsCancellationRequested && sent < 1_000_000)
            {
                byte[] payload = new byte[64];
                BinaryPrimitives.WriteInt32LittleEndian(payload, sent++);
                await publisher.PublishAsync("orders.flow", payload);
                if (sent % 100 == 0)
                {
                    // Paced by the broker's confirmation, so the flow goes on throughout instead of in one burst.
                    await publisher.FlushAsync();
                }
            }

            await publisher.FlushAsync();
            return sent;
        });

        var outcome = new Outcome();
        var attackers = new List<RawPeer>();
        try
        {
            for (int c = 0; c < connections; c++)
            {
                var peer = new RawPeer(trusted.Endpoint);
                attackers.Add(peer);
                connect(peer);
                Subscribe(peer, c, outcome);
            }

            long peakKb = ProcStatus.PeakRssKb(broker.Id);
            output.WriteLine($"{outcome.Accepted} subscriptions accepted, {outcome.Refused} refused ({string.Join(", ", outcome.Budgets)}); " +
                $"broker RSS {idleKb / 1024} MB idle, {ProcStatus.RssKb(broker.Id) / 1024} MB after, peak {peakKb / 1024} MB");
            Assert.InRange(peakKb - idleKb, 0, RssBoundKb);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (RawPeer peer in attackers)
            {
                peer.Dispose();
            }
        }

        int published = await publishing.WaitAsync(TimeSpan.FromSeconds(30));
        List<MqMessage> received = await feed.TakeAsync(published, TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, published), received.Select(m => BinaryPrimitives.ReadInt32LittleEndian(m.Data.Span)));
        Assert.Equal(0, feed.Dropped);
        output.WriteLine($"the trusted publisher sent {published} messages during the attack; all arrived, in order");
        Assert.True(published > 0);
        Assert.False(broker.HasExited, broker.Output);
        return outcome;
    }

    /// <summary>Sends the SUBs in batches, then reads one OK or ERROR for each.</summary>
    private static void Subscribe(RawPeer peer, int connection, Outcome outcome)
    {
        for (int start = 0; start < PerConnection; start += SubsPerFrame)
        {
            peer.Send((ref MessagePackWriter w) =>
            {
                for (int i = start; i < start + SubsPerFrame; i++)
                {
                    CommandWriter.WriteSub(ref w, (ulong)i + 1, (ulong)i + 1, Pattern(connection, i), null);
                }
            });
        }

        for (int answered = 0; answered < PerConnection;)
        {
            ReceivedCommand command = peer.Next(TimeSpan.FromSeconds(30));
            if (command.Code == CommandCode.Ok)
            {
                outcome.Accepted++;
                answered++;
            }
            else if (command.Code == CommandCode.Error)
            {
                CommandReader error = command.Reader();
                error.ReadUInt();
                Assert.Equal(ErrorCode.LimitExceeded, (ErrorCode)error.ReadUInt());
                string message = error.ReadString(4096);
                outcome.Budgets.Add(message[(message.LastIndexOf("pass ", StringComparison.Ordinal) + 5)..message.LastIndexOf(' ')]);
                outcome.Refused++;
                answered++;
            }
        }
    }

    private sealed class Outcome
    {
        public long Accepted { get; set; }

        public long Refused { get; set; }

        public SortedSet<string> Budgets { get; } = new(StringComparer.Ordinal);
    }
}
