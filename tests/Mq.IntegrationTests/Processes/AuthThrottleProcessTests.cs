using System.Diagnostics;
using MessagePack;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;
using Mq.Testing;
using Xunit.Abstractions;

namespace Mq.IntegrationTests.Processes;

/// <summary>Guessing identities against a broker process: the broker verifies few of the guesses.</summary>
public sealed class AuthThrottleProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private SecuredBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await SecuredBroker.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public void Challenges_collected_by_50_connections_of_one_source_and_answered_together_cost_three_verifications()
    {
        var attackers = new List<RawPeer>();
        try
        {
            for (int i = 0; i < 50; i++)
            {
                var attacker = new RawPeer(_broker.Endpoint);
                attackers.Add(attacker);
                attacker.Secure(_broker.BrokerPublicKey);
                attacker.Send((ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, ProtocolVersion.Current, $"guesser-{i}", null));
            }

            foreach (RawPeer attacker in attackers)
            {
                attacker.Expect(CommandCode.Challenge);
            }

            var clock = Stopwatch.StartNew();
            foreach (RawPeer attacker in attackers)
            {
                attacker.Send((ref MessagePackWriter w) => CommandWriter.WriteAuth(ref w, "trusted", new byte[64]));
            }

            string[] answers = attackers.Select(Refusal).ToArray();
            TimeSpan took = clock.Elapsed;
            int verified = answers.Count(a => a.Contains("authentication as 'trusted' failed"));
            output.WriteLine($"{verified} of {answers.Length} verified; all answered in {took.TotalMilliseconds:0} ms");

            // The source's first guess and its burst of two are verified; the bucket then refills at one per second
            // at first, so a slow machine may see one more per second the answers took.
            Assert.InRange(verified, 3, 3 + (int)Math.Ceiling(took.TotalSeconds));
            Assert.Equal(answers.Length - verified, answers.Count(a => a.Contains("too many failed authentications from ")));
            Assert.False(_broker.Process.HasExited);
        }
        finally
        {
            foreach (RawPeer attacker in attackers)
            {
                attacker.Dispose();
            }
        }
    }

    private static string Refusal(RawPeer attacker)
    {
        CommandReader error = attacker.Expect(CommandCode.Error).Reader();
        error.ReadUInt();
        Assert.Equal(ErrorCode.Unauthenticated, (ErrorCode)error.ReadUInt());
        return error.ReadString(4096);
    }
}
