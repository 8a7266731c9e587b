using System.Text.Json;
using Mq.Broker.Streams;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests;

/// <summary><c>Mq.Publisher publish --durable</c> and <c>Mq.Subscriber subscribe --stream</c> against a broker with a stream per test.</summary>
public sealed class StreamCliTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mq-stream-cli-").FullName;
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync(o =>
    {
        o.Broker.StoreDirectory = _directory;
        o.Broker.Streams["orders"] = new BrokerStreamOptions { Subjects = ["orders.>"] };
    });

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Publish_durable_prints_the_stored_sequence_of_each_message_and_a_repeated_id_as_a_duplicate()
    {
        await using PeerProcess three = Cli.Publisher(_broker.Endpoint, "--topic", "orders.eu.created", "--json", """{"id":1}""", "--count", "3", "--durable");
        Assert.Equal(0, (await Cli.RunAsync(three)).ExitCode);
        Assert.Equal(["stored in orders at sequence 1", "stored in orders at sequence 2", "stored in orders at sequence 3"], three.StandardOutput.Take(3));
        Assert.StartsWith("published 3 messages to orders.eu.created", three.StandardOutput[3], StringComparison.Ordinal);

        // One after the other: the second must find the first's id stored.
        await using PeerProcess first = Cli.Publisher(_broker.Endpoint, "--topic", "orders.eu.created", "--message", "x", "--durable", "--message-id", "order-9");
        Assert.Equal(0, (await Cli.RunAsync(first)).ExitCode);
        await using PeerProcess again = Cli.Publisher(_broker.Endpoint, "--topic", "orders.eu.created", "--message", "x", "--durable", "--message-id", "order-9");
        Assert.Equal(0, (await Cli.RunAsync(again)).ExitCode);
        Assert.Equal("stored in orders at sequence 4", first.StandardOutput[0]);
        Assert.Equal("duplicate: already stored in orders at sequence 4", again.StandardOutput[0]);
    }

    [Fact]
    public async Task Publish_durable_to_a_subject_no_stream_captures_fails_with_the_reason()
    {
        await using PeerProcess publisher = Cli.Publisher(_broker.Endpoint, "--topic", "invoices.new", "--message", "x", "--durable");

        Assert.Equal(9, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Equal("error: no stream captures 'invoices.new'", publisher.StandardError.Single());
    }

    [Fact]
    public async Task Subscribe_stream_prints_the_stored_messages_from_the_start_or_a_sequence_with_their_stream_sequence()
    {
        await using PeerProcess publisher = Cli.Publisher(_broker.Endpoint, "--topic", "orders.eu.created", "--json", """{"id":7}""", "--count", "3", "--durable");
        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);

        await using PeerProcess all = Cli.Subscriber(_broker.Endpoint, "--stream", "orders", "--from", "start", "--count", "3");
        Assert.Equal(0, await all.WaitForExitAsync(Cli.Timeout));
        Assert.Equal(["[orders.eu.created #1] {\"id\":7}", "[orders.eu.created #2] {\"id\":7}", "[orders.eu.created #3] {\"id\":7}"], all.StandardOutput);
        Assert.Contains("reading stream orders from start", all.StandardError);

        await using PeerProcess fromTwo = Cli.Subscriber(_broker.Endpoint, "--stream", "orders", "--from", "2", "--count", "2", "--output", "json");
        Assert.Equal(0, await fromTwo.WaitForExitAsync(Cli.Timeout));
        Assert.Equal([2L, 3L], fromTwo.StandardOutput.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("stream_seq").GetInt64()));
    }

    [Fact]
    public async Task Subscribe_stream_from_new_gets_only_what_is_published_after_it_started()
    {
        await using PeerProcess before = Cli.Publisher(_broker.Endpoint, "--topic", "orders.eu.created", "--message", "old", "--durable");
        Assert.Equal(0, (await Cli.RunAsync(before)).ExitCode);
        await using PeerProcess reader = Cli.Subscriber(_broker.Endpoint, "--stream", "orders", "--from", "new", "--count", "1");
        await reader.WaitForLineAsync("reading stream orders from new", Cli.Timeout, onStandardError: true);

        await using PeerProcess after = Cli.Publisher(_broker.Endpoint, "--topic", "orders.eu.created", "--message", "fresh", "--durable");
        Assert.Equal(0, (await Cli.RunAsync(after)).ExitCode);

        Assert.Equal(0, await reader.WaitForExitAsync(Cli.Timeout));
        Assert.Equal("[orders.eu.created #2] \"fresh\"", reader.StandardOutput.Single());
    }

    [Fact]
    public async Task Subscribe_stream_durable_goes_on_after_what_the_last_run_printed()
    {
        await using PeerProcess publisher = Cli.Publisher(_broker.Endpoint, "--topic", "orders.eu.created", "--json", "1", "--count", "3", "--durable");
        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);

        await using PeerProcess first = Cli.Subscriber(_broker.Endpoint, "--stream", "orders", "--durable", "printer", "--count", "2");
        Assert.Equal(0, await first.WaitForExitAsync(Cli.Timeout));
        await using PeerProcess second = Cli.Subscriber(_broker.Endpoint, "--stream", "orders", "--durable", "printer", "--count", "1");
        Assert.Equal(0, await second.WaitForExitAsync(Cli.Timeout));

        Assert.Equal(["[orders.eu.created #1] 1", "[orders.eu.created #2] 1"], first.StandardOutput);
        Assert.Equal(["[orders.eu.created #3] 1"], second.StandardOutput);
        Assert.Contains("reading stream orders as durable consumer printer (from start if it is new)", first.StandardError);
    }

    [Fact]
    public async Task Subscribe_stream_durable_shared_splits_the_messages_between_the_subscribers()
    {
        await using PeerProcess one = Cli.Subscriber(_broker.Endpoint, "--stream", "orders", "--durable", "pool", "--shared", "--count", "2");
        await using PeerProcess two = Cli.Subscriber(_broker.Endpoint, "--stream", "orders", "--durable", "pool", "--shared", "--count", "2");
        await one.WaitForLineAsync("reading stream orders as shared durable consumer pool (from start if it is new)", Cli.Timeout, onStandardError: true);
        await two.WaitForLineAsync("reading stream orders as shared durable consumer pool (from start if it is new)", Cli.Timeout, onStandardError: true);

        await using PeerProcess publisher = Cli.Publisher(_broker.Endpoint, "--topic", "orders.eu.created", "--json", "1", "--count", "4", "--durable");
        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);

        Assert.Equal(0, await one.WaitForExitAsync(Cli.Timeout));
        Assert.Equal(0, await two.WaitForExitAsync(Cli.Timeout));
        Assert.Equal(
            ["[orders.eu.created #1] 1", "[orders.eu.created #2] 1", "[orders.eu.created #3] 1", "[orders.eu.created #4] 1"],
            one.StandardOutput.Concat(two.StandardOutput).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_broker_commands_create_list_inspect_purge_and_delete_streams()
    {
        Assert.Equal(0, await BrokerAsync("stream", "create", "invoices", "--subject", "invoices.>", "--max-messages", "10", "--storage", "memory"));
        await using PeerProcess publisher = Cli.Publisher(_broker.Endpoint, "--topic", "invoices.new", "--message", "x", "--durable");
        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Equal("stored in invoices at sequence 1", publisher.StandardOutput[0]);

        await using PeerProcess list = PeerProcess.Start("Mq.Broker", ["streams", "--json", "--endpoint", _broker.Endpoint]);
        Assert.Equal(0, await list.WaitForExitAsync(Cli.Timeout));
        using JsonDocument streams = JsonDocument.Parse(list.StandardOutput.Single());
        Assert.Equal(["invoices", "orders"], streams.RootElement.GetProperty("streams").EnumerateArray().Select(e => e.GetProperty("name").GetString()));

        await using PeerProcess info = PeerProcess.Start("Mq.Broker", ["stream", "info", "invoices", "--endpoint", _broker.Endpoint]);
        Assert.Equal(0, await info.WaitForExitAsync(Cli.Timeout));
        Assert.Contains(info.StandardOutput, line => line.StartsWith("messages ", StringComparison.Ordinal) && line.EndsWith(" 1", StringComparison.Ordinal));

        Assert.Equal(0, await BrokerAsync("stream", "purge", "invoices"));
        Assert.Equal(0, await BrokerAsync("stream", "delete", "invoices"));
        await using PeerProcess gone = PeerProcess.Start("Mq.Broker", ["stream", "delete", "invoices", "--endpoint", _broker.Endpoint]);
        Assert.Equal(1, await gone.WaitForExitAsync(Cli.Timeout));
        Assert.Equal("Mq broker delete: no stream 'invoices'", gone.StandardError.Single());
    }

    [Theory]
    [InlineData("--from 'yesterday' is not start, new, a sequence (1, 2, ...) or a time (2026-12-03T14:00:00Z)", "--stream", "orders", "--from", "yesterday")]
    [InlineData("--stream reads a stream's subjects: give no patterns with it", "--stream", "orders", "orders.>")]
    [InlineData("--from is for reading a stream: add --stream NAME", "orders.>", "--from", "start")]
    [InlineData("--durable is for reading a stream: add --stream NAME", "orders.>", "--durable", "d")]
    [InlineData("--shared shares a durable consumer: add --durable NAME", "--stream", "orders", "--shared")]
    [InlineData("--shared is for reading a stream as a durable consumer: add --stream NAME --durable NAME", "orders.>", "--shared")]
    public async Task Subscribe_stream_usage_errors_say_what_is_wrong(string error, params string[] arguments)
    {
        await using PeerProcess subscriber = Cli.Subscriber(_broker.Endpoint, arguments);

        Assert.Equal(1, await subscriber.WaitForExitAsync(Cli.Timeout));
        Assert.Contains(subscriber.StandardError, line => line.Contains(error, StringComparison.Ordinal));
    }

    private async Task<int> BrokerAsync(params string[] arguments)
    {
        await using PeerProcess broker = PeerProcess.Start("Mq.Broker", [.. arguments, "--endpoint", _broker.Endpoint]);
        return await broker.WaitForExitAsync(Cli.Timeout);
    }
}
