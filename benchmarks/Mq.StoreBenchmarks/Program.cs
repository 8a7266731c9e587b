using System.Diagnostics;
using System.Globalization;
using Mq.StoreBenchmarks;

// Durable appends of 128-byte messages from 64 concurrent appenders (fsync Always, then every 50 ms), and a replay
// of --replay stored messages from the start, for each engine; one line per engine and workload, ratios to the
// segment files at the end. Each case runs --runs times in a fresh temporary directory.
int count = Option("--count", 100_000);
int replayCount = Option("--replay", 1_000_000);
int runs = Option("--runs", 2);
double seconds = Option("--seconds", 4);
string[] engines = OptionText("--engines", "segments,sqlite,rocksdb,faster").Split(',');
const int Appenders = 64;

string root = Path.Combine(Path.GetTempPath(), "mq-store-bench-" + Environment.ProcessId);
var results = new Dictionary<(string Engine, string Workload), List<double>>();
Console.WriteLine($"{DateTimeOffset.UtcNow:u} {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Trim()}; "
    + $"append: {Appenders} appenders, 128 B, up to {count} msgs or {seconds} s; replay: {replayCount} msgs; {runs} runs");
try
{
    for (int run = 1; run <= runs; run++)
    {
        foreach (string engine in engines)
        {
            await Measure(engine, "append-always", run, null, AppendAsync);
            await Measure(engine, "append-every50ms", run, 50, AppendAsync);
            await Measure(engine, "replay-1M", run, 50, ReplayAsync);
        }
    }
    Console.WriteLine("median msgs/s, and as a ratio of the segment files':");
    foreach (((string engine, string workload), List<double> rates) in results.OrderBy(r => r.Key.Workload).ThenBy(r => r.Key.Engine))
    {
        double median = Median(rates);
        string ratio = results.TryGetValue(("segments", workload), out var baseline) ? $"{median / Median(baseline),5:0.00}x" : "";
        Console.WriteLine($"  {workload,-17} {engine,-9} {median,12:N0}  {ratio}");
    }
}
finally
{
    if (Directory.Exists(root))
        Directory.Delete(root, recursive: true);
}

async Task Measure(string engine, string workload, int run, int? syncEveryMs, Func<Func<Task<IBenchStore>>, Task<Timing>> body)
{
    string directory = Path.Combine(root, $"{engine}-{workload}-{run}");
    Timing timing = await body(() => OpenAsync(engine, directory, syncEveryMs));
    double rate = timing.Messages / timing.Elapsed.TotalSeconds;
    (results.TryGetValue((engine, workload), out var rates) ? rates : results[(engine, workload)] = []).Add(rate);
    string open = timing.Open is { } reopen ? $" (reopen {reopen.TotalMilliseconds:0} ms before it)" : "";
    Console.WriteLine($"run {run} {engine,-9} {workload,-17} {timing.Messages,9} msgs {timing.Elapsed.TotalSeconds,6:0.00} s {rate,12:N0} msgs/s{open}");
    Directory.Delete(directory, recursive: true);
}

async Task<Timing> AppendAsync(Func<Task<IBenchStore>> open)
{
    await using IBenchStore store = await open();
    byte[] payload = new byte[128];
    Random.Shared.NextBytes(payload);
    long appended = 0;
    var clock = Stopwatch.StartNew();
    var deadline = TimeSpan.FromSeconds(seconds);
    await Task.WhenAll(Enumerable.Range(0, Appenders).Select(_ => Task.Run(async () =>
    {
        while (Interlocked.Increment(ref appended) <= count && clock.Elapsed < deadline)
            await store.AppendAsync(payload);
    })));
    return new Timing(Math.Min(appended - Appenders, count), clock.Elapsed, null);
}

// Filled, closed and opened again, as after a restart; the read is timed, and the reopen shown apart.
async Task<Timing> ReplayAsync(Func<Task<IBenchStore>> open)
{
    byte[] payload = new byte[128];
    await using (IBenchStore filling = await open())
    {
        await Task.WhenAll(Enumerable.Range(0, Appenders).Select(appender => Task.Run(async () =>
        {
            for (int i = appender; i < replayCount; i += Appenders)
                await filling.AppendAsync(payload);
        })));
    }
    var reopening = Stopwatch.StartNew();
    await using IBenchStore store = await open();
    TimeSpan reopen = reopening.Elapsed;
    var clock = Stopwatch.StartNew();
    long read = await store.ReplayAsync();
    if (read != replayCount)
        throw new InvalidOperationException($"replay read {read} of {replayCount} messages");
    return new Timing(read, clock.Elapsed, reopen);
}

static async Task<IBenchStore> OpenAsync(string engine, string directory, int? syncEveryMs) => engine switch
{
    "segments" => await SegmentStore.OpenAsync(directory, syncEveryMs),
    "sqlite" => new GroupCommitStore(new SqliteEngine(directory), syncEveryMs),
    "rocksdb" => new GroupCommitStore(new RocksEngine(directory), syncEveryMs),
    "faster" => new GroupCommitStore(new FasterEngine(directory), syncEveryMs),
    _ => throw new ArgumentException($"unknown engine '{engine}': segments, sqlite, rocksdb or faster"),
};

static double Median(List<double> rates)
{
    double[] sorted = [.. rates.Order()];
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

int Option(string name, int fallback) =>
    int.Parse(OptionText(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

string OptionText(string name, string fallback)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}
