using System.Globalization;
using Mq.Client;
using Mq.Testing;
using Mq.TestSupport;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using Xunit.Abstractions;

namespace Mq.BrowserTests;

/// <summary>The broker's dashboard, loaded in headless chromium while peers publish through the broker executable.</summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_dashboard_shows_the_peers_and_a_rising_message_count()
    {
        (PeerProcess broker, string endpoint, Uri monitoring) = await BrokerProcess.StartMonitoredAsync();
        await using (broker)
        {
            await using MqClient publisher = await MqClient.ConnectAsync(endpoint, "dashboard-publisher");
            await using MqClient subscriber = await MqClient.ConnectAsync(endpoint, "dashboard-subscriber");
            await using MqSubscription subscription = await subscriber.SubscribeAsync("dashboard.ticks");
            await using MqService echo = await subscriber.ServeAsync("dashboard.echo", (request, _) => ValueTask.FromResult(request.Data));
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            Task traffic = PublishAsync(publisher, stop.Token);
            using Chromium chromium = Chromium.Start();
            IWebDriver page = chromium.WebDriver;
            try
            {
                page.Navigate().GoToUrl(monitoring);
                var wait = new WebDriverWait(page, PageTimeout);

                wait.Until(_ => PeerNames(page).Contains("dashboard-publisher") && PeerNames(page).Contains("dashboard-subscriber"));
                long first = 0;
                wait.Until(_ => (first = Published(page) ?? 0) > 0);
                wait.Until(_ => Published(page) > first);

                Assert.Contains("dashboard.ticks", Texts(page, "#subs").Single());
                wait.Until(_ => ServiceWithLatency(page, "dashboard.echo"));
                Assert.StartsWith("live", Texts(page, "#status").Single());
            }
            finally
            {
                Screenshot(page, "dashboard.png");
                await stop.CancelAsync();
                await traffic;
            }
        }
    }

    [Fact]
    public async Task The_dashboard_lists_the_streams_with_their_durable_consumers()
    {
        (PeerProcess broker, string endpoint, Uri monitoring) = await BrokerProcess.StartMonitoredAsync(
            "--Broker:Streams:ledger:Subjects:0=ledger.>", "--Broker:Streams:ledger:Storage=Memory");
        await using (broker)
        {
            await using MqClient client = await MqClient.ConnectAsync(endpoint, "dashboard-ledger");
            for (int i = 1; i <= 3; i++)
            {
                await client.PublishDurableAsync("ledger.entry", new byte[] { (byte)i });
            }

            // Read and never acknowledged: the consumer shows 3 unacknowledged, read by 1 subscription.
            await using MqSubscription reader = await client.ConsumeAsync("ledger", StreamStart.First, new ConsumeOptions { Durable = "auditor", Shared = true });
            using Chromium chromium = Chromium.Start();
            IWebDriver page = chromium.WebDriver;
            try
            {
                page.Navigate().GoToUrl(monitoring);
                var wait = new WebDriverWait(page, PageTimeout);

                wait.Until(_ => Texts(page, "#streams tbody tr td:first-child").Contains("ledger"));
                wait.Until(_ => Texts(page, "#streams").Single().Contains("auditor: 0 pending, 3 unacked, 1 reading", StringComparison.Ordinal));
                Assert.Contains("last seq", Texts(page, "#streams thead").Single(), StringComparison.Ordinal);
            }
            finally
            {
                Screenshot(page, "dashboard-streams.png");
            }
        }
    }

    /// <summary>A message every 20 ms and a request every 200 ms until stopped, at most 3,000: the counts the page shows keep rising.</summary>
    private static async Task PublishAsync(MqClient publisher, CancellationToken cancellationToken)
    {
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            for (int i = 0; i < 3000 && await pace.WaitForNextTickAsync(cancellationToken); i++)
            {
                await publisher.PublishAsync("dashboard.ticks", i, cancellationToken: cancellationToken);
                if (i % 10 == 0)
                {
                    await publisher.RequestAsync("dashboard.echo", new byte[] { 1 }, cancellationToken: cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The test is done with traffic.
        }
    }

    /// <summary>
    /// The rendered text of every element matching <paramref name="selector"/>, read in one script: the page
    /// re-renders its tables on every update, so an element found first and read afterwards may be gone by then.
    /// </summary>
    private static List<string> Texts(IWebDriver page, string selector) =>
        ((IReadOnlyCollection<object>)((IJavaScriptExecutor)page).ExecuteScript("return Array.from(document.querySelectorAll(arguments[0]), e => e.innerText);", selector)!)
            .Select(text => (string)text).ToList();

    private static HashSet<string> PeerNames(IWebDriver page) =>
        Texts(page, "#peers tbody tr td:first-child").ToHashSet(StringComparer.Ordinal);

    /// <summary>The services table lists <paramref name="service"/> with a latency in readable units.</summary>
    private static bool ServiceWithLatency(IWebDriver page, string service)
    {
        string table = Texts(page, "#services").Single();
        return table.Contains(service, StringComparison.Ordinal) && table.Contains("latency p99", StringComparison.Ordinal)
            && (table.Contains(" µs", StringComparison.Ordinal) || table.Contains(" ms", StringComparison.Ordinal));
    }

    private static long? Published(IWebDriver page) =>
        Texts(page, "#stat-messages_published .value") is [var value, ..]
            && long.TryParse(value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out long count) ? count : null;

    private void Screenshot(IWebDriver page, string name)
    {
        string folder = Path.Combine(RepositoryRoot.Path, "TestResults", "browser");
        Directory.CreateDirectory(folder);
        string file = Path.Combine(folder, name);
        ((ITakesScreenshot)page).GetScreenshot().SaveAsFile(file);
        output.WriteLine($"screenshot: {file}");
    }
}
