using System.Diagnostics;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Testing;
using Mq.TestSupport;
using Xunit.Abstractions;

namespace Mq.IntegrationTests.Processes;

/// <summary>Minutes of steady traffic through a broker process: its memory and file handles must stay flat.</summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    [SoakFact]
    public async Task Broker_memory_and_handles_stay_flat_under_steady_traffic_and_peer_churn()
    {
        TimeSpan duration = TimeSpan.FromMinutes(SoakFactAttribute.Minutes!.Value);
        (PeerProcess broker, string endpoint) = await BrokerProcess.StartAsync();
        await using (broker)
        {
            await using MqClient server = await MqClient.ConnectAsync(endpoint, "soak-server");
            await using MqClient client = await MqClient.ConnectAsync(endpoint, "soak-client");
            await using MqSubscription subscription = await server.SubscribeAsync("soak.>");
            await using MqService echo = await server.ServeAsync("soak.echo", (r, _) => ValueTask.FromResult(r.Data));

            var samples = new List<(TimeSpan At, long RssKb, int Handles)>();
            var clock = Stopwatch.StartNew();
            TimeSpan nextSample = TimeSpan.Zero;
            long published = 0, requests = 0, churned = 0;
            byte[] payload = new byte[256];
            while (clock.Elapsed < duration)
            {
                for (int i = 0; i < 500; i++)
                {
                    await client.PublishAsync($"soak.{i % 50}", payload);
                }

                published += 500;
                await client.RequestAsync("soak.echo", payload);
                requests++;
                while (subscription.Reader.TryRead(out _))
                {
                }

                if (requests % 20 == 0)
                {
                    // Peers come and go: their sessions must not pile up.
                    await using MqClient passer = await MqClient.ConnectAsync(endpoint, "passer-by");
                    await using MqSubscription brief = await passer.SubscribeAsync("soak.brief");
                    churned++;
                }

                if (clock.Elapsed >= nextSample)
                {
                    samples.Add((clock.Elapsed, ProcStatus.RssKb(broker.Id), ProcStatus.OpenDescriptors(broker.Id)));
                    nextSample += duration / 20;
                }
            }

            foreach ((TimeSpan at, long rss, int handles) in samples)
            {
                output.WriteLine($"{at.TotalSeconds,6:0}s  rss {rss / 1024.0,7:0.0} MB  handles {handles}");
            }

            output.WriteLine($"published {published}, requests {requests}, peers churned {churned}");

            // After a warm-up quarter, memory and handles stay within a band of their warm level.
            var warm = samples.Where(s => s.At >= duration / 4).ToList();
            Assert.True(warm.Count >= 5, "too few samples");
            long warmRss = warm[0].RssKb;
            Assert.All(warm, s => Assert.True(s.RssKb < warmRss * 1.5 + 20 * 1024, $"RSS grew to {s.RssKb} KB from {warmRss} KB"));
            Assert.All(warm, s => Assert.True(s.Handles <= warm[0].Handles + 10, $"handles grew to {s.Handles} from {warm[0].Handles}"));
        }
    }
}
