using System.Text.Json;
using Mq.Client;
using Mq.Testing;

namespace Mq.CliTests;

public sealed class PublisherCliTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Publish_sends_json_and_headers_that_a_json_subscriber_prints_as_json()
    {
        string topic = Cli.Unique("orders");
        await using PeerProcess subscriber = await Cli.SubscribedAsync(broker.Endpoint, "--topic", $"{topic}.>", "--output", "json", "--count", "1");
        await using PeerProcess publisher = Cli.Publisher(broker.Endpoint, "--topic", $"{topic}.created", "--json", """{"id":7,"items":["a","b"]}""", "--header", "trace=t-1");

        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Matches(@"^published 1 messages to \S+ in \d+\.\d{3} s \(\d+ msgs/s\)$", publisher.StandardOutput.Single());
        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));

        using JsonDocument line = JsonDocument.Parse(subscriber.StandardOutput.Single());
        Assert.Equal($"{topic}.created", line.RootElement.GetProperty("topic").GetString());
        Assert.Equal(7, line.RootElement.GetProperty("payload").GetProperty("id").GetInt32());
        Assert.Equal("b", line.RootElement.GetProperty("payload").GetProperty("items")[1].GetString());
        Assert.Equal("t-1", line.RootElement.GetProperty("headers").GetProperty("trace").GetString());
    }

    [Fact]
    public async Task Publish_count_and_size_deliver_every_message()
    {
        string topic = Cli.Unique("bulk");
        await using PeerProcess subscriber = await Cli.SubscribedAsync(broker.Endpoint, "--topic", topic, "--count", "500");
        await using PeerProcess publisher = Cli.Publisher(broker.Endpoint, "publish", "--topic", topic, "--count", "500", "--size", "64", "--rate", "5000");

        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.StartsWith("published 500 messages", publisher.StandardOutput.Single());
        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
        Assert.Equal(500, subscriber.StandardOutput.Count);
    }

    [Fact]
    public async Task Request_prints_the_echoed_reply_as_json_for_each_request()
    {
        string service = Cli.Unique("echo");
        await using PeerProcess server = await Cli.ServingAsync(broker.Endpoint, "--service", service);
        await using PeerProcess requester = Cli.Publisher(broker.Endpoint, "request", "--service", service, "--json", "[1,2]", "--count", "2");

        Assert.Equal(0, (await Cli.RunAsync(requester)).ExitCode);
        Assert.Equal(["[1,2]", "[1,2]"], requester.StandardOutput);
    }

    [Fact]
    public async Task Request_gets_a_fixed_reply_when_serve_is_given_one()
    {
        string service = Cli.Unique("fixed");
        await using PeerProcess server = await Cli.ServingAsync(broker.Endpoint, "--service", service, "--message", "pong");
        await using PeerProcess requester = Cli.Publisher(broker.Endpoint, "request", "--service", service, "--message", "ping");

        Assert.Equal(0, (await Cli.RunAsync(requester)).ExitCode);
        Assert.Equal("\"pong\"", requester.StandardOutput.Single());
    }

    [Theory]
    [InlineData(3, "no peer serves", "request", "--service", "nobody.serves.this")]
    [InlineData(6, "empty token", "--topic", "bad..subject", "--message", "x")]
    [InlineData(7, "not valid JSON", "--topic", "a", "--json", "{broken")]
    [InlineData(7, "not valid JSON", "--topic", "a", "--json", "{\"a\":1,}")]
    [InlineData(7, "not valid JSON", "--topic", "a", "--json", "[1,2")]
    [InlineData(7, "not valid JSON", "--topic", "a", "--json", "1 2")]
    [InlineData(7, "does not fit", "--topic", "a", "--json", "1e400")]
    [InlineData(7, "does not fit", "--topic", "a", "--json", "123456789012345678901234567890")]
    [InlineData(7, "key=value", "--topic", "a", "--message", "x", "--header", "novalue")]
    [InlineData(1, "--count must be at least 1", "--topic", "a", "--count", "0")]
    [InlineData(1, "give only one of", "--topic", "a", "--message", "x", "--json", "1")]
    public async Task Failures_exit_with_their_code_and_one_clear_line(int exitCode, string message, params string[] arguments)
    {
        await using PeerProcess publisher = Cli.Publisher(broker.Endpoint, arguments);

        Assert.Equal(exitCode, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Contains(message, string.Join('\n', publisher.StandardError));
        Assert.DoesNotContain("   at ", publisher.Output);
    }

    [Fact]
    public async Task A_reply_later_than_the_timeout_exits_with_the_timeout_code()
    {
        string service = Cli.Unique("slow");
        await using PeerProcess server = await Cli.ServingAsync(broker.Endpoint, "--service", service, "--delay", "3000");
        await using PeerProcess requester = Cli.Publisher(broker.Endpoint, "request", "--service", service, "--timeout", "300");

        Assert.Equal(4, (await Cli.RunAsync(requester)).ExitCode);
        Assert.Contains(service, requester.StandardError.Single());
    }

    [Fact]
    public async Task A_failing_server_handler_exits_with_the_remote_error_code_and_its_message()
    {
        string service = Cli.Unique("failing");
        await using MqClient server = await MqClient.ConnectAsync(broker.Endpoint, "failing-server");
        await using MqService failing = await server.ServeAsync(service, (_, _) => throw new InvalidOperationException("out of stock"));
        await using PeerProcess requester = Cli.Publisher(broker.Endpoint, "request", "--service", service);

        Assert.Equal(5, (await Cli.RunAsync(requester)).ExitCode);
        Assert.Contains("out of stock", requester.StandardError.Single());
    }

    [Fact]
    public async Task A_server_lost_while_holding_the_request_exits_with_the_responder_lost_code()
    {
        string service = Cli.Unique("vanishing");
        MqClient server = await MqClient.ConnectAsync(MqClientOptions.Default with { Endpoint = broker.Endpoint, Name = "vanishing-server", DrainTimeout = TimeSpan.Zero });
        var holding = new TaskCompletionSource();
        await server.ServeAsync(service, async (_, ct) =>
        {
            holding.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return ReadOnlyMemory<byte>.Empty;
        });
        await using PeerProcess requester = Cli.Publisher(broker.Endpoint, "request", "--service", service, "--timeout", "60000");

        await holding.Task.WaitAsync(Cli.Timeout);
        await server.DisposeAsync();

        Assert.Equal(10, (await Cli.RunAsync(requester)).ExitCode);
        Assert.Contains("vanishing-server", requester.StandardError.Single());
    }

    [Fact]
    public async Task An_unreachable_broker_exits_with_the_not_connected_code_in_bounded_time()
    {
        await using PeerProcess publisher = PeerProcess.Start("Mq.Publisher", ["--topic", "a", "--message", "x", "--broker", "tcp://127.0.0.1:9", "--connect-timeout", "300"]);

        Assert.Equal(2, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Contains("cannot reach the Mq broker at tcp://127.0.0.1:9", publisher.StandardError.Single());
    }

    [Fact]
    public async Task The_broker_endpoint_comes_from_MQ_BROKER_when_not_given()
    {
        string topic = Cli.Unique("env");
        await using PeerProcess subscriber = await Cli.SubscribedAsync(broker.Endpoint, "--topic", topic, "--count", "1");
        await using PeerProcess publisher = PeerProcess.Start("Mq.Publisher", ["--topic", topic, "--message", "via env"], new Dictionary<string, string> { ["MQ_BROKER"] = broker.Endpoint });

        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
        Assert.Contains("\"via env\"", subscriber.StandardOutput.Single());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("--version")]
    [InlineData("request", "--help")]
    public async Task Help_and_version_exit_zero(params string[] arguments)
    {
        await using PeerProcess publisher = PeerProcess.Start("Mq.Publisher", arguments);

        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.NotEmpty(publisher.StandardOutput);
    }
}
