using System.Diagnostics;
using System.Net;
using MessagePack;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;
using Mq.Testing;
using Mq.TestSupport;
using Xunit.Abstractions;

namespace Mq.IntegrationTests.Processes;

/// <summary>
/// Guessing identities against a broker process, from one loopback source and from 200 at once: the broker
/// verifies few of the guesses, and the real holder of the identity, from another source, connects within a
/// second throughout.
/// </summary>
public sealed class AuthThrottleProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private SecuredBroker _broker = null!;

    // The attackers of the 200-source test never finish their handshake: the deadline must outlast both waves.
    public async Task InitializeAsync() => _broker = await SecuredBroker.StartAsync("--Broker:HandshakeTimeout=00:01:00");

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

    [Fact]
    public async Task A_brute_force_from_one_source_is_throttled_and_the_holder_gets_in_within_a_second()
    {
        using var bound = new CancellationTokenSource(Bound);
        var throttled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        Task<List<string>> attack = GuessOneAtATimeAsync(IPAddress.Parse("127.0.0.2"), attempts: 200, throttled, bound.Token);

        // Once the broker is refusing its guesses (or the attack ended or failed: then the asserts say why).
        await Task.WhenAny(throttled.Task, attack).WaitAsync(bound.Token);
        Assert.True(throttled.Task.IsCompleted || !attack.IsCompletedSuccessfully, "200 guesses from one source were all verified");
        if (attack.IsFaulted)
        {
            await attack;
        }

        TimeSpan took = await TimeToConnectAsync();
        List<string> answers = await attack;
        TimeSpan attackTook = clock.Elapsed;

        int verified = answers.Count(a => a.Contains("authentication as 'trusted' failed"));
        output.WriteLine($"{verified} of {answers.Count} guesses verified in {attackTook.TotalSeconds:0.0} s; the holder connected in {took.TotalMilliseconds:0} ms");
        Assert.True(took < TimeSpan.FromSeconds(1), $"the holder took {took.TotalMilliseconds:0} ms to connect during the attack");

        // A source gets 6 verifications in its first 10 s of failures, then one per 8 s; every other guess is refused unverified.
        int allowed = 6 + (int)Math.Ceiling(Math.Max(0, attackTook.TotalSeconds - 10) / 8);
        Assert.InRange(verified, 1, allowed);
        Assert.Equal(answers.Count - verified, answers.Count(a => a.Contains("too many failed authentications")));
    }

    [Fact]
    public async Task A_brute_force_from_200_sources_at_once_is_bounded_and_the_holder_gets_in_within_a_second()
    {
        using var bound = new CancellationTokenSource(Bound);
        RawZmtp[] attackers = await Task.WhenAll(Enumerable.Range(2, 200).Select(i => ConnectAsync(IPAddress.Parse($"127.0.0.{i}"), bound.Token)));
        try
        {
            // First wave: every source is clean, so every guess is verified; the holder is not held up meanwhile.
            Task<string[]> first = WaveAsync(attackers, bound.Token);
            TimeSpan took = await TimeToConnectAsync();
            string[] firstAnswers = await first;
            output.WriteLine($"first wave: {firstAnswers.Count(a => a.Contains("authentication as 'trusted' failed"))} of {attackers.Length} verified; the holder connected in {took.TotalMilliseconds:0} ms");
            Assert.True(took < TimeSpan.FromSeconds(1), $"the holder took {took.TotalMilliseconds:0} ms to connect during the first wave");
            Assert.All(firstAnswers, a => Assert.Contains("authentication as 'trusted' failed", a));

            // Second wave: the identity is under attack, so dirty sources share its small bucket, and then get nothing.
            Task<string[]> second = WaveAsync(attackers, bound.Token);
            took = await TimeToConnectAsync();
            string[] secondAnswers = await second;
            Assert.True(took < TimeSpan.FromSeconds(1), $"the holder took {took.TotalMilliseconds:0} ms to connect during the second wave");
            int verified = secondAnswers.Count(a => a.Contains("authentication as 'trusted' failed"));
            output.WriteLine($"second wave: {verified} of {attackers.Length} verified; the holder connected in {took.TotalMilliseconds:0} ms");
            Assert.InRange(verified, 0, 3);
            Assert.Equal(attackers.Length - verified, secondAnswers.Count(a => a.Contains("too many failed authentications")));
        }
        finally
        {
            foreach (RawZmtp attacker in attackers)
            {
                attacker.Dispose();
            }
        }
    }

    /// <summary>How long the real holder of "trusted" takes to connect (it connects from 127.0.0.1).</summary>
    private async Task<TimeSpan> TimeToConnectAsync()
    {
        var clock = Stopwatch.StartNew();
        await using MqClient holder = await MqClient.ConnectAsync(_broker.ClientOptions("trusted") with { Name = "holder", ConnectTimeout = Bound });
        return clock.Elapsed;
    }

    private async Task<RawZmtp> ConnectAsync(IPAddress source, CancellationToken cancellationToken)
    {
        RawZmtp attacker = await RawZmtp.ConnectAsync(_broker.Endpoint, source, cancellationToken);
        try
        {
            await attacker.HandshakeAsync(Bound);
            await attacker.SecureAsync(_broker.BrokerPublicKey, Bound);
            return attacker;
        }
        catch
        {
            attacker.Dispose();
            throw;
        }
    }

    /// <summary>Guesses <paramref name="attempts"/> times from <paramref name="source"/>, each on a new connection; returns the broker's answers.</summary>
    private async Task<List<string>> GuessOneAtATimeAsync(IPAddress source, int attempts, TaskCompletionSource throttled, CancellationToken cancellationToken)
    {
        var answers = new List<string>(attempts);
        for (int i = 0; i < attempts; i++)
        {
            using RawZmtp attacker = await ConnectAsync(source, cancellationToken);
            await ChallengeAsync(attacker, cancellationToken);
            answers.Add(await AnswerAsync(attacker, cancellationToken));
            if (answers[^1].Contains("too many failed authentications"))
            {
                throttled.TrySetResult();
            }
        }

        return answers;
    }

    /// <summary>Every attacker collects a challenge, then all answer together.</summary>
    private static async Task<string[]> WaveAsync(RawZmtp[] attackers, CancellationToken cancellationToken)
    {
        await Task.WhenAll(attackers.Select(a => ChallengeAsync(a, cancellationToken)));
        return await Task.WhenAll(attackers.Select(a => AnswerAsync(a, cancellationToken)));
    }

    private static async Task ChallengeAsync(RawZmtp attacker, CancellationToken cancellationToken)
    {
        await attacker.SendMqAsync((ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, ProtocolVersion.Current, "guesser", null), cancellationToken);
        await ExpectAsync(attacker, CommandCode.Challenge, cancellationToken);
    }

    /// <summary>A wrong proof for "trusted"; returns the message of the broker's ERROR.</summary>
    private static async Task<string> AnswerAsync(RawZmtp attacker, CancellationToken cancellationToken)
    {
        await attacker.SendMqAsync((ref MessagePackWriter w) => CommandWriter.WriteAuth(ref w, "trusted", new byte[64]), cancellationToken);
        CommandReader error = (await ExpectAsync(attacker, CommandCode.Error, cancellationToken)).Reader();
        error.ReadUInt();
        Assert.Equal(ErrorCode.Unauthenticated, (ErrorCode)error.ReadUInt());
        return error.ReadString(4096);
    }

    /// <summary>The next Mq command with <paramref name="code"/>, skipping others.</summary>
    private static async Task<ReceivedCommand> ExpectAsync(RawZmtp attacker, CommandCode code, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            byte[] body = await attacker.ReadMqAsync(Bound) ?? throw new IOException($"the broker closed the connection before {code}");
            var reader = new CommandReader(body);
            for (int index = 0; !reader.End; index++)
            {
                if (reader.ReadCommand() == code)
                {
                    return new ReceivedCommand(body, index, code);
                }

                reader.SkipCommand();
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
