using System.Text.Json;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests;

/// <summary><c>Mq.Broker kv ...</c> against a broker with a store: a bucket made, written, read, listed and watched from the command line.</summary>
public sealed class KeyValueCliTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mq-kv-cli-").FullName;
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync(o => o.Broker.StoreDirectory = _directory);

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_kv_verbs_create_a_bucket_put_get_delete_and_list_keys_and_history()
    {
        Assert.Equal(0, (await KvAsync("add", "config", "--history", "3")).ExitCode);
        Run put = await KvAsync("put", "config", "app.colour", "red");
        Assert.Equal("put app.colour at revision 1", put.StandardOutput.Single());
        Assert.Equal(0, (await KvAsync("put", "config", "app.colour", "blue")).ExitCode);
        Assert.Equal(0, (await KvAsync("put", "config", "app.size", "large")).ExitCode);

        Assert.Equal("blue", (await KvAsync("get", "config", "app.colour")).StandardOutput.Single());
        Run json = await KvAsync("get", "config", "app.colour", "--json");
        using (JsonDocument entry = JsonDocument.Parse(json.StandardOutput.Single()))
        {
            Assert.Equal((2L, "put", "blue"), (entry.RootElement.GetProperty("revision").GetInt64(), entry.RootElement.GetProperty("op").GetString(), entry.RootElement.GetProperty("value").GetString()));
        }

        Assert.Equal(["app.colour", "app.size"], (await KvAsync("keys", "config")).StandardOutput.Order(StringComparer.Ordinal));
        Assert.Equal("deleted app.colour at revision 4", (await KvAsync("del", "config", "app.colour")).StandardOutput.Single());
        Assert.Equal(["app.size"], (await KvAsync("keys", "config", "app.*")).StandardOutput);
        Assert.Equal(["[app.colour #1] red", "[app.colour #2] blue", "[app.colour #4] deleted"], (await KvAsync("history", "config", "app.colour")).StandardOutput);

        Run gone = await KvAsync("get", "config", "app.colour");
        Assert.Equal((1, "Mq broker kv get: key 'app.colour' of bucket config has no value"), (gone.ExitCode, gone.StandardError.Single()));
        Run list = await KvAsync("ls", "--json");
        using (JsonDocument buckets = JsonDocument.Parse(list.StandardOutput.Single()))
        {
            Assert.Equal(["config"], buckets.RootElement.GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("bucket").GetString()));
        }

        Assert.Equal(0, (await KvAsync("rm", "config")).ExitCode);
        Run missing = await KvAsync("get", "config", "app.size");
        Assert.Equal((1, "Mq broker kv get: no key-value bucket 'config'"), (missing.ExitCode, missing.StandardError.Single()));
    }

    [Fact]
    public async Task Kv_watch_prints_the_current_values_then_changes()
    {
        Assert.Equal(0, (await KvAsync("add", "config", "--storage", "memory")).ExitCode);
        Assert.Equal(0, (await KvAsync("put", "config", "a", "1")).ExitCode);

        await using PeerProcess watch = PeerProcess.Start("Mq.Broker", ["kv", "watch", "config", "--count", "3", "--endpoint", _broker.Endpoint]);
        await watch.WaitForLineAsync("current values done; changes follow", Cli.Timeout, onStandardError: true);
        Assert.Equal(0, (await KvAsync("put", "config", "b", "2")).ExitCode);
        Assert.Equal(0, (await KvAsync("del", "config", "a")).ExitCode);

        Assert.Equal(0, await watch.WaitForExitAsync(Cli.Timeout));
        Assert.Equal(["[a #1] 1", "[b #2] 2", "[a #3] deleted"], watch.StandardOutput);
    }

    [Fact]
    public async Task Kv_put_of_a_key_with_a_wildcard_says_what_a_key_is()
    {
        Assert.Equal(0, (await KvAsync("add", "config", "--storage", "memory")).ExitCode);

        Run put = await KvAsync("put", "config", "app.*", "x");

        Assert.Equal(1, put.ExitCode);
        Assert.StartsWith("Mq broker kv put: 'app.*' is not a key (tokens separated by '.', no wildcards '*' or '>')", put.StandardError.Single(), StringComparison.Ordinal);
    }

    /// <summary>Runs <c>Mq.Broker kv ARGS</c> to its end (killed by its handle if it outlives <see cref="Cli.Timeout"/>).</summary>
    private async Task<Run> KvAsync(params string[] arguments)
    {
        await using PeerProcess process = PeerProcess.Start("Mq.Broker", ["kv", .. arguments, "--endpoint", _broker.Endpoint]);
        int exitCode = await process.WaitForExitAsync(Cli.Timeout);
        return new Run(exitCode, process.StandardOutput, process.StandardError);
    }

    private sealed record Run(int ExitCode, IReadOnlyList<string> StandardOutput, IReadOnlyList<string> StandardError);
}
