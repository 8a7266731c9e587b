using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mq.Client;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests;

/// <summary>Mq.Publisher's commands, publish and request, against a real broker and real subscriber processes.</summary>
public sealed partial class PublisherCliTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Publish_sends_json_and_headers_that_a_json_subscriber_prints_as_json()
    {
        string topic = Cli.Unique("orders");
        await using PeerProcess subscriber = await Cli.SubscribedAsync(fixture.Broker.Endpoint, "--topic", $"{topic}.>", "--output", "json", "--count", "1");
        await using PeerProcess publisher = Cli.Publisher(fixture.Broker.Endpoint, "--topic", $"{topic}.created", "--json", """{"id":7,"items":["a","b"]}""", "--header", "trace=t-1");

        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Matches(Summary(), publisher.StandardOutput.Single());
        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));

        using JsonDocument line = JsonDocument.Parse(subscriber.StandardOutput.Single());
        Assert.Equal($"{topic}.created", line.RootElement.GetProperty("topic").GetString());
        Assert.Equal(1, line.RootElement.GetProperty("seq").GetInt64());
        Assert.Equal(7, line.RootElement.GetProperty("payload").GetProperty("id").GetInt32());
        Assert.Equal("b", line.RootElement.GetProperty("payload").GetProperty("items")[1].GetString());
        Assert.Equal("t-1", line.RootElement.GetProperty("headers").GetProperty("trace").GetString());
    }

    [Fact]
    public async Task Publish_count_and_size_deliver_every_message_as_a_messagepack_bin_of_that_size()
    {
        string topic = Cli.Unique("bulk");
        await using PeerProcess subscriber = await Cli.SubscribedAsync(fixture.Broker.Endpoint, "--topic", topic, "--count", "500", "--output", "json");
        await using PeerProcess publisher = Cli.Publisher(fixture.Broker.Endpoint, "publish", "--topic", topic, "--count", "500", "--size", "64");

        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.StartsWith($"published 500 messages to {topic} in ", publisher.StandardOutput.Single());
        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
        Assert.Equal(500, subscriber.StandardOutput.Count);

        // A bin shows as a base64 string in MessagePack's JSON.
        using JsonDocument last = JsonDocument.Parse(subscriber.StandardOutput[^1]);
        Assert.Equal(64, last.RootElement.GetProperty("payload").GetBytesFromBase64().Length);
        Assert.Equal(500, last.RootElement.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task Publish_rate_paces_the_messages()
    {
        string topic = Cli.Unique("paced");
        await using PeerProcess publisher = Cli.Publisher(fixture.Broker.Endpoint, "--topic", topic, "--message", "tick", "--count", "6", "--rate", "20");

        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);

        // Six messages at 20/s: the last is due 250 ms after the first.
        Match summary = Summary().Match(publisher.StandardOutput.Single());
        Assert.True(summary.Success, publisher.Output);
        Assert.InRange(double.Parse(summary.Groups["seconds"].Value, CultureInfo.InvariantCulture), 0.24, 10);
    }

    [Fact]
    public async Task Publish_stopped_by_a_signal_exits_with_the_interrupted_code_and_says_how_far_it_got()
    {
        string topic = Cli.Unique("endless");
        await using PeerProcess subscriber = await Cli.SubscribedAsync(fixture.Broker.Endpoint, "--topic", topic);
        await using PeerProcess publisher = Cli.Publisher(fixture.Broker.Endpoint, "--topic", topic, "--message", "m", "--count", "100000", "--rate", "20");
        await subscriber.WaitForLineAsync($"[{topic}]", Cli.Timeout, onStandardError: false);

        publisher.Signal(15);

        Assert.Equal(130, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Matches($@"^error: interrupted after publishing \d+ of 100000 messages to {topic}$", publisher.StandardError.Single());
        Assert.Empty(publisher.StandardOutput);
    }

    [Fact]
    public async Task Request_prints_the_echoed_reply_as_json_for_each_request()
    {
        string service = Cli.Unique("echo");
        await using PeerProcess server = await Cli.ServingAsync(fixture.Broker.Endpoint, "--service", service);
        await using PeerProcess requester = Cli.Publisher(fixture.Broker.Endpoint, "request", "--service", service, "--json", """{"sku":"a-1","n":[1,2]}""", "--count", "2");

        Assert.Equal(0, (await Cli.RunAsync(requester)).ExitCode);
        Assert.Equal(["""{"sku":"a-1","n":[1,2]}""", """{"sku":"a-1","n":[1,2]}"""], requester.StandardOutput);
    }

    [Theory]
    [InlineData("--message", "pong", "\"pong\"")]
    [InlineData("--json", """{"count":7}""", """{"count":7}""")]
    public async Task Request_gets_the_fixed_reply_serve_is_given(string option, string reply, string printed)
    {
        string service = Cli.Unique("fixed");
        await using PeerProcess server = await Cli.ServingAsync(fixture.Broker.Endpoint, "--service", service, option, reply);
        await using PeerProcess requester = Cli.Publisher(fixture.Broker.Endpoint, "request", "--service", service, "--message", "ping");

        Assert.Equal(0, (await Cli.RunAsync(requester)).ExitCode);
        Assert.Equal(printed, requester.StandardOutput.Single());
    }

    [Theory]
    [InlineData(3, "no peer serves", "request", "--service", "nobody.serves.this")]
    [InlineData(6, "empty token", "--topic", "bad..subject", "--message", "x")]
    [InlineData(6, "wildcard", "--topic", "orders.*", "--message", "x")]
    [InlineData(6, "wildcard", "request", "--service", "svc.>")]
    [InlineData(7, "not valid JSON", "--topic", "a", "--json", "{broken")]
    [InlineData(7, "not valid JSON", "--topic", "a", "--json", "{\"a\":1,}")]
    [InlineData(7, "not valid JSON", "--topic", "a", "--json", "[1,2")]
    [InlineData(7, "not valid JSON", "--topic", "a", "--json", "1 2")]
    [InlineData(7, "not valid JSON", "--topic", "a", "--json", "nul")]
    [InlineData(7, "not valid JSON", "--topic", "a", "--json", "")]
    [InlineData(7, "does not fit", "--topic", "a", "--json", "1e400")]
    [InlineData(7, "does not fit", "--topic", "a", "--json", "123456789012345678901234567890")]
    [InlineData(7, "not valid JSON", "request", "--service", "a", "--json", "{")]
    [InlineData(7, "key=value", "--topic", "a", "--message", "x", "--header", "novalue")]
    public async Task Failures_exit_with_their_code_and_one_clear_line(int exitCode, string message, params string[] arguments)
    {
        await using PeerProcess publisher = Cli.Publisher(fixture.Broker.Endpoint, arguments);

        Assert.Equal(exitCode, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Contains(message, publisher.StandardError.Single());
        Assert.DoesNotContain("   at ", publisher.Output);
    }

    [Fact]
    public async Task A_reply_later_than_the_timeout_exits_with_the_timeout_code()
    {
        string service = Cli.Unique("slow");
        await using PeerProcess server = await Cli.ServingAsync(fixture.Broker.Endpoint, "--service", service, "--delay", "3000");
        await using PeerProcess requester = Cli.Publisher(fixture.Broker.Endpoint, "request", "--service", service, "--timeout", "300");

        Assert.Equal(4, (await Cli.RunAsync(requester)).ExitCode);
        Assert.Equal($"error: no reply from '{service}' within 300 ms", requester.StandardError.Single());
    }

    [Fact]
    public async Task A_failing_server_handler_exits_with_the_remote_error_code_and_its_message()
    {
        string service = Cli.Unique("failing");
        await using MqClient server = await MqClient.ConnectAsync(fixture.Broker.Endpoint, "failing-server");
        await using MqService failing = await server.ServeAsync(service, (_, _) => throw new InvalidOperationException("out of stock"));
        await using PeerProcess requester = Cli.Publisher(fixture.Broker.Endpoint, "request", "--service", service);

        Assert.Equal(5, (await Cli.RunAsync(requester)).ExitCode);
        Assert.Contains("out of stock", requester.StandardError.Single());
    }

    [Fact]
    public async Task A_server_lost_while_holding_the_request_exits_with_the_responder_lost_code()
    {
        string service = Cli.Unique("vanishing");
        MqClient server = await MqClient.ConnectAsync(MqClientOptions.Default with { Endpoint = fixture.Broker.Endpoint, Name = "vanishing-server", DrainTimeout = TimeSpan.Zero });
        var holding = new TaskCompletionSource();
        await server.ServeAsync(service, async (_, ct) =>
        {
            holding.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return ReadOnlyMemory<byte>.Empty;
        });
        await using PeerProcess requester = Cli.Publisher(fixture.Broker.Endpoint, "request", "--service", service, "--timeout", "60000");

        await holding.Task.WaitAsync(Cli.Timeout);
        await server.DisposeAsync();

        Assert.Equal(10, (await Cli.RunAsync(requester)).ExitCode);
        Assert.Contains("vanishing-server", requester.StandardError.Single());
    }

    [Fact]
    public async Task The_broker_endpoint_comes_from_MQ_BROKER_when_not_given()
    {
        string topic = Cli.Unique("env");
        await using PeerProcess subscriber = await Cli.SubscribedAsync(fixture.Broker.Endpoint, "--topic", topic, "--count", "1");
        await using PeerProcess publisher = PeerProcess.Start("Mq.Publisher", ["--topic", topic, "--message", "via env"], new Dictionary<string, string> { ["MQ_BROKER"] = fixture.Broker.Endpoint });

        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
        Assert.Equal($"[{topic}] \"via env\"", subscriber.StandardOutput.Single());
    }

    [GeneratedRegex(@"^published \d+ messages to \S+ in (?<seconds>\d+\.\d{3}) s \(\d+ msgs/s\)$")]
    private static partial Regex Summary();
}
