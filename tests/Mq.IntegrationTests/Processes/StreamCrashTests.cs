using System.Collections.Concurrent;
using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using Mq.Testing;
using Mq.TestSupport;
using Xunit.Abstractions;

namespace Mq.IntegrationTests.Processes;

/// <summary>The broker process SIGKILLed in the middle of durable publishing, restarted on the same store.</summary>
public sealed class StreamCrashTests(ITestOutputHelper output)
{
    private const int InFlight = 64;

    [Theory]
    [InlineData(null)]
    [InlineData(20)]
    public async Task Every_acknowledged_message_is_there_exactly_once_and_in_order_after_a_kill(int? fsyncEveryMs)
    {
        string directory = Directory.CreateTempSubdirectory("mq-stream-crash-").FullName;
        string[] arguments =
        [
            $"--Broker:StoreDirectory={directory}",
            "--Broker:Streams:orders:Subjects:0=orders.>",
            .. fsyncEveryMs is { } ms ? [$"--Broker:Streams:orders:FsyncEveryMs={ms}"] : Array.Empty<string>(),
        ];
        try
        {
            var acknowledged = new ConcurrentDictionary<string, ulong>(StringComparer.Ordinal);
            (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync("tcp://127.0.0.1:0", arguments);
            await using (broker)
            {
                await using MqClient publisher = await MqClient.ConnectAsync(MqClientOptions.Default with { Endpoint = endpoint, Name = "publisher" });
                var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Task publishing = PublishUntilFailureAsync(publisher, acknowledged, enough);
                await enough.Task.WaitAsync(TimeSpan.FromSeconds(60));

                // Mid-traffic: 64 publishes in flight, group commits under way.
                broker.Kill();
                await publishing.WaitAsync(TimeSpan.FromSeconds(30));
            }

            output.WriteLine($"{acknowledged.Count} publishes acknowledged before the kill (fsync {(fsyncEveryMs is null ? "always" : $"every {fsyncEveryMs} ms")})");
            (PeerProcess restarted, string again) = await BrokerProcess.StartAsync("tcp://127.0.0.1:0", arguments);
            await using (restarted)
            {
                await using MqClient reader = await MqClient.ConnectAsync(MqClientOptions.Default with { Endpoint = again, Name = "reader" });
                ulong last = acknowledged.Values.Max();
                await using MqSubscription consumer = await reader.ConsumeAsync("orders", StreamStart.First);
                List<MqMessage> stored = await consumer.TakeAsync((int)last, TimeSpan.FromSeconds(60));

                // Gap-free from 1, each id at most once (nothing was retried), each acknowledged one where its ack said.
                Assert.Equal(Enumerable.Range(1, (int)last).Select(i => (ulong)i), stored.Select(m => m.StreamSequence));
                Dictionary<string, ulong> byId = stored.ToDictionary(m => m.Headers![MqClient.MessageIdHeader], m => m.StreamSequence, StringComparer.Ordinal);
                Assert.All(acknowledged, ack => Assert.Equal(ack.Value, byId[ack.Key]));

                // Order: the publisher's ids were published in order, one connection, so their sequences climb with them.
                Assert.Equal(stored.Select(m => IdNumber(m.Headers![MqClient.MessageIdHeader])).Order(), stored.Select(m => IdNumber(m.Headers![MqClient.MessageIdHeader])));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// The broker under bash's <c>ulimit -f</c> (SIGXFSZ ignored), so its segment file's writes fail with EFBIG as on a
    /// full disk: durable publishes past the limit are refused with StoreFailed, and what was acknowledged before stays.
    /// </summary>
    [Fact]
    public async Task When_the_disk_refuses_writes_durable_publishes_fail_with_a_clear_error_and_nothing_stored_is_lost()
    {
        string directory = Directory.CreateTempSubdirectory("mq-stream-full-").FullName;
        string[] arguments = ["--endpoint", "tcp://127.0.0.1:0", $"--Broker:StoreDirectory={directory}", "--Broker:Streams:orders:Subjects:0=orders.>"];
        try
        {
            string dll = Path.Combine(AppContext.BaseDirectory, "Mq.Broker.dll");
            PeerStart limited = PeerStart.Executable("/bin/bash", ["-c", "trap '' XFSZ; ulimit -f 256; exec dotnet \"$@\"", "bash", dll, .. arguments]) with
            {
                Name = "Mq.Broker",

                // The runtime's W^X double mapping sizes a shared memory file past a small limit and would not start.
                Environment = new Dictionary<string, string> { ["DOTNET_EnableWriteXorExecute"] = "0" },
            };
            var acknowledged = new List<DurableAck>();
            MqException? refused = null;
            await using (PeerProcess broker = PeerProcess.Start(limited))
            {
                string ready = await broker.WaitForLineAsync("ready on ", BrokerProcess.StartTimeout);
                string endpoint = ready[(ready.IndexOf("ready on ", StringComparison.Ordinal) + 9)..].Split(' ')[0];
                await using MqClient publisher = await MqClient.ConnectAsync(MqClientOptions.Default with { Endpoint = endpoint, Name = "publisher" });

                // 4 KiB each: the 256 KiB file limit is reached within about 64 of them.
                for (int i = 0; i < 200 && refused is null; i++)
                {
                    try
                    {
                        acknowledged.Add(await publisher.PublishDurableAsync("orders.eu.created", new byte[4096], $"m-{i}"));
                    }
                    catch (MqException ex)
                    {
                        refused = ex;
                    }
                }

                Assert.NotNull(refused);
                Assert.Equal(Protocol.ErrorCode.StoreFailed, refused.Code);
                Assert.Contains("could not store 'orders.eu.created'", refused.Message, StringComparison.Ordinal);
                Assert.Contains("no stored message is lost", refused.Message, StringComparison.Ordinal);

                // The broker goes on: plain traffic flows, and the next durable publish gets the same clear answer.
                await using MqSubscription live = await publisher.SubscribeAsync("other.>");
                await publisher.PublishAsync("other.x", new byte[] { 1 });
                Assert.Single(await live.TakeAsync(1));
                Assert.Equal(Protocol.ErrorCode.StoreFailed, (await Assert.ThrowsAsync<MqException>(async () => await publisher.PublishDurableAsync("orders.eu.created", new byte[4096]))).Code);
                await broker.WaitForLineAsync("could not store a message", Waits.Default);
            }

            output.WriteLine($"{acknowledged.Count} acknowledged before the file limit; then: {refused.Message}");
            Assert.NotEmpty(acknowledged);
            (PeerProcess restarted, string again) = await BrokerProcess.StartAsync("tcp://127.0.0.1:0", arguments[2..]);
            await using (restarted)
            {
                await using MqClient reader = await MqClient.ConnectAsync(MqClientOptions.Default with { Endpoint = again, Name = "reader" });
                await using MqSubscription consumer = await reader.ConsumeAsync("orders", StreamStart.First);
                List<MqMessage> stored = await consumer.TakeAsync(acknowledged.Count, TimeSpan.FromSeconds(30));
                Assert.Equal(acknowledged.Select(a => a.Sequence), stored.Select(m => m.StreamSequence));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static long IdNumber(string id) => long.Parse(id.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Durable publishes of <c>m-0</c>, <c>m-1</c>... with 64 in flight, until the connection fails; signals after 2000 acks.</summary>
    private static async Task PublishUntilFailureAsync(MqClient publisher, ConcurrentDictionary<string, ulong> acknowledged, TaskCompletionSource enough)
    {
        var window = new SemaphoreSlim(InFlight);
        var pending = new List<Task>();
        using var failed = new CancellationTokenSource();
        for (long i = 0; !failed.IsCancellationRequested && i < 1_000_000; i++)
        {
            try
            {
                await window.WaitAsync(failed.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            // Called in order on this thread: each DPUB is queued before the next, so the broker reads them in id order.
            pending.Add(PublishOneAsync(publisher, $"m-{i}", $"orders.eu.{i % 8}", acknowledged, enough, window, failed));
            pending.RemoveAll(t => t.IsCompleted);
        }

        await Task.WhenAll(pending);
    }

    private static async Task PublishOneAsync(MqClient publisher, string id, string subject, ConcurrentDictionary<string, ulong> acknowledged,
        TaskCompletionSource enough, SemaphoreSlim window, CancellationTokenSource failed)
    {
        try
        {
            DurableAck ack = await publisher.PublishDurableAsync(subject, new byte[128], id);
            acknowledged[id] = ack.Sequence;
            if (acknowledged.Count >= 2000)
            {
                enough.TrySetResult();
            }
        }
        catch (MqException)
        {
            // The broker died with it in flight: maybe stored, never acknowledged.
            await failed.CancelAsync();
        }
        finally
        {
            window.Release();
        }
    }
}
