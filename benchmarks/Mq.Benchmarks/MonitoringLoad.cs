namespace Mq.Benchmarks;

/// <summary>
/// What an operator's tools ask of a monitored broker while a workload runs: the dashboard's live stream
/// (<c>/api/live</c>, read as it comes) and a Prometheus scrape of <c>/metrics</c> once a second. Stops when disposed.
/// </summary>
internal sealed class MonitoringLoad : IAsyncDisposable
{
    private static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(1);
    private static readonly string[] Paths = ["metrics", "api/info", "api/stats", "api/peers", "api/subs", "api/services"];
    private const int WarmUpRounds = 200;

    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _live;
    private readonly Task _scrapes;

    public MonitoringLoad(Uri monitoring)
    {
        _http = new HttpClient { BaseAddress = monitoring, Timeout = Timeout.InfiniteTimeSpan };
        _live = ReadLiveAsync(_stop.Token);
        _scrapes = ScrapeAsync(_stop.Token);
    }

    /// <summary>
    /// Asks for every page the load reads, many times over, and gives the runtime a moment to recompile what got hot.
    /// A fresh broker's first tens of seconds of monitoring are mostly the JIT compiling ASP.NET Core's paths
    /// (measured: 245 ticks of CPU in the first 40 s against 74 in the next 30), a cost paid once per process that
    /// a short workload would otherwise count as the cost of monitoring.
    /// </summary>
    public static async Task WarmUpAsync(Uri monitoring, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = monitoring };
        for (int round = 0; round < WarmUpRounds; round++)
        {
            foreach (string path in Paths)
            {
                _ = await http.GetStringAsync(path, cancellationToken);
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
    }

    /// <summary>Live events and scrapes received; a run that saw none did not measure what it says.</summary>
    public long Events { get; private set; }

    public long Scrapes { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(Quietly(_live), Quietly(_scrapes));
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task ReadLiveAsync(CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await _http.GetAsync("api/live", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                Events++;
            }
        }
    }

    private async Task ScrapeAsync(CancellationToken cancellationToken)
    {
        using var pace = new PeriodicTimer(ScrapeInterval);
        do
        {
            _ = await _http.GetStringAsync("metrics", cancellationToken);
            Scrapes++;
        }
        while (await pace.WaitForNextTickAsync(cancellationToken));
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
            // Stopped, as asked.
        }
    }
}
