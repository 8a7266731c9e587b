using System.Text.Json;
using Mq.Client;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests;

/// <summary>Mq.Subscriber's commands, subscribe and serve (and its demo mode), against a real broker.</summary>
public sealed class SubscriberCliTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Subscribe_prints_text_lines_for_every_wildcard_match_and_exits_after_count()
    {
        string root = Cli.Unique("text");
        await using PeerProcess subscriber = await Cli.SubscribedAsync(fixture.Broker.Endpoint, "--topic", $"{root}.*.created", "--topic", $"{root}.audit.>", "--count", "2");
        Assert.Equal($"subscribed to {root}.*.created, {root}.audit.>", subscriber.StandardError.Single());
        foreach (string subject in new[] { $"{root}.eu.created", $"{root}.eu.west.created", $"{root}.audit.x.y" })
        {
            await using PeerProcess publisher = Cli.Publisher(fixture.Broker.Endpoint, "--topic", subject, "--message", subject);
            Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        }

        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
        Assert.Equal([$"[{root}.eu.created] \"{root}.eu.created\"", $"[{root}.audit.x.y] \"{root}.audit.x.y\""], subscriber.StandardOutput);
    }

    [Fact]
    public async Task Text_output_shows_a_json_payload_and_the_headers()
    {
        string topic = Cli.Unique("headers");
        await using PeerProcess subscriber = await Cli.SubscribedAsync(fixture.Broker.Endpoint, "--topic", topic, "--count", "1");
        await using PeerProcess publisher = Cli.Publisher(fixture.Broker.Endpoint, "--topic", topic, "--json", """{"id": 7, "ok": true}""", "-H", "trace=t-1", "-H", "tenant=a=b");

        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
        Assert.Equal($$"""[{{topic}}] {"id":7,"ok":true}  trace=t-1 tenant=a=b""", subscriber.StandardOutput.Single());
    }

    [Fact]
    public async Task Json_output_stays_valid_json_for_payloads_json_cannot_hold()
    {
        string topic = Cli.Unique("nan");
        await using PeerProcess subscriber = await Cli.SubscribedAsync(fixture.Broker.Endpoint, "--topic", topic, "--count", "2", "--output", "json");
        await using (MqClient client = await MqClient.ConnectAsync(fixture.Broker.Endpoint, "nan-publisher"))
        {
            await client.PublishAsync(topic, double.NaN);
            await client.PublishAsync(topic, new byte[] { 0xc1 });
        }

        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
        using JsonDocument nan = JsonDocument.Parse(subscriber.StandardOutput[0]);
        Assert.Equal("NaN", nan.RootElement.GetProperty("payload").GetString());
        using JsonDocument raw = JsonDocument.Parse(subscriber.StandardOutput[1]);
        Assert.StartsWith("base64:", raw.RootElement.GetProperty("payload").GetString());
    }

    [Fact]
    public async Task A_queue_group_pair_splits_the_messages()
    {
        string topic = Cli.Unique("work");
        await using PeerProcess first = await Cli.SubscribedAsync(fixture.Broker.Endpoint, "--topic", topic, "--group", "workers");
        await using PeerProcess second = await Cli.SubscribedAsync(fixture.Broker.Endpoint, "--topic", topic, "--group", "workers");
        Assert.Equal($"subscribed to {topic} (group workers)", first.StandardError.Single());
        await using PeerProcess publisher = Cli.Publisher(fixture.Broker.Endpoint, "--topic", topic, "--message", "job", "--count", "10");
        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);

        // Round robin over two idle members: five each.
        await Waiting.UntilAsync(() => first.StandardOutput.Count + second.StandardOutput.Count == 10, Cli.Timeout);
        Assert.Equal(5, first.StandardOutput.Count);
        Assert.Equal(5, second.StandardOutput.Count);
    }

    [Fact]
    public async Task A_flow_controlled_subscriber_receives_every_message_of_a_burst()
    {
        string topic = Cli.Unique("flow");
        await using PeerProcess subscriber = await Cli.SubscribedAsync(fixture.Broker.Endpoint, "--topic", topic, "--flow", "--count", "20000");
        await using PeerProcess publisher = Cli.Publisher(fixture.Broker.Endpoint, "--topic", topic, "--message", "tick", "--count", "20000");

        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
        Assert.Equal(20000, subscriber.StandardOutput.Count);
        Assert.DoesNotContain(subscriber.StandardError, line => line.Contains("dropped", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Subscribe_timeout_without_enough_messages_fails_with_the_timeout_code()
    {
        await using PeerProcess subscriber = Cli.Subscriber(fixture.Broker.Endpoint, "--topic", Cli.Unique("quiet"), "--count", "1", "--timeout", "0.5");

        Assert.Equal(4, (await Cli.RunAsync(subscriber)).ExitCode);
        Assert.Equal("error: timed out after receiving 0 of 1 messages", subscriber.StandardError[^1]);
    }

    [Fact]
    public async Task Subscribe_timeout_without_count_just_ends()
    {
        await using PeerProcess subscriber = Cli.Subscriber(fixture.Broker.Endpoint, "--topic", Cli.Unique("quiet"), "--timeout", "0.5");

        Assert.Equal(0, (await Cli.RunAsync(subscriber)).ExitCode);
    }

    [Theory]
    [InlineData("'>' before its last token", "--topic", "a.>.b")]
    [InlineData("empty token", "--topic", "a..b")]
    [InlineData("wildcard", "serve", "--service", "svc.*")]
    public async Task An_invalid_subject_exits_with_the_invalid_subject_code(string message, params string[] arguments)
    {
        await using PeerProcess subscriber = Cli.Subscriber(fixture.Broker.Endpoint, arguments);

        Assert.Equal(6, (await Cli.RunAsync(subscriber)).ExitCode);
        Assert.Contains(message, subscriber.StandardError.Single());
    }

    [Fact]
    public Task Sigterm_stops_a_running_subscriber_cleanly() => StopsCleanlyOnAsync(15);

    [SigintFact]
    public Task Ctrl_c_stops_a_running_subscriber_cleanly() => StopsCleanlyOnAsync(2);

    [Fact]
    public async Task Sigterm_stops_a_running_server_cleanly()
    {
        await using PeerProcess server = await Cli.ServingAsync(fixture.Broker.Endpoint, "--service", Cli.Unique("forever"));

        server.Signal(15);

        Assert.Equal(0, await server.WaitForExitAsync(Cli.Timeout));
        Assert.Single(server.StandardError);
    }

    [Fact]
    public async Task Serve_count_answers_that_many_requests_then_exits_zero()
    {
        string service = Cli.Unique("counted");
        await using PeerProcess server = await Cli.ServingAsync(fixture.Broker.Endpoint, "--service", service, "--count", "2");
        Assert.Equal($"serving {service}", server.StandardError.Single());
        await using PeerProcess requester = Cli.Publisher(fixture.Broker.Endpoint, "request", "--service", service, "--message", "hi", "--count", "2");

        Assert.Equal(0, (await Cli.RunAsync(requester)).ExitCode);
        Assert.Equal(["\"hi\"", "\"hi\""], requester.StandardOutput);
        Assert.Equal(0, await server.WaitForExitAsync(Cli.Timeout));
    }

    [Fact]
    public async Task The_demo_peers_publish_subscribe_request_and_serve_and_stop_on_sigterm()
    {
        string topic = Cli.Unique("demo");
        string stats = Cli.Unique("stats");
        await using PeerProcess subscriber = Cli.Subscriber(fixture.Broker.Endpoint, "demo", "--topic", $"{topic}.>", "--stats-service", stats, "--name", "demo-sub");
        await subscriber.WaitForLineAsync($"service '{stats}' is open", Cli.Timeout);
        await using PeerProcess publisher = Cli.Publisher(fixture.Broker.Endpoint, "demo", "--topic", $"{topic}.ticks", "--stats-service", stats, "--rate", "20", "--count", "10", "--stats-every", "0.2");

        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Contains(publisher.StandardOutput, line => line.Contains($"reply from {stats}"));
        await subscriber.WaitForLineAsync($"received {topic}.ticks", Cli.Timeout);

        // The demo's last stats request can overtake the last tick inside the subscriber (its message handler and
        // its service run concurrently), so the count is checked here until it settles.
        await using MqClient asker = await MqClient.ConnectAsync(fixture.Broker.Endpoint, "stats-asker");
        string last = "";
        await Waiting.UntilAsync(async () =>
        {
            last = (await asker.RequestAsync(stats, ReadOnlyMemory<byte>.Empty)).ToJson();
            return last.Contains("\"Received\":10", StringComparison.Ordinal);
        }, Cli.Timeout);

        subscriber.Signal(15);
        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
    }

    private async Task StopsCleanlyOnAsync(int signal)
    {
        await using PeerProcess subscriber = await Cli.SubscribedAsync(fixture.Broker.Endpoint, "--topic", Cli.Unique("forever"));

        subscriber.Signal(signal);

        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
        Assert.Single(subscriber.StandardError);
    }
}
