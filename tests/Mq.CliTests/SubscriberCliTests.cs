using Mq.Testing;

namespace Mq.CliTests;

public sealed class SubscriberCliTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Subscribe_prints_text_lines_for_every_wildcard_match_and_exits_after_count()
    {
        string root = Cli.Unique("text");
        await using PeerProcess subscriber = await Cli.SubscribedAsync(broker.Endpoint, "--topic", $"{root}.*.created", "--topic", $"{root}.audit.>", "--count", "2");
        foreach (string subject in new[] { $"{root}.eu.created", $"{root}.eu.west.created", $"{root}.audit.x.y" })
        {
            await using PeerProcess publisher = Cli.Publisher(broker.Endpoint, "--topic", subject, "--message", subject);
            Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        }

        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
        Assert.Equal([$"[{root}.eu.created] \"{root}.eu.created\"", $"[{root}.audit.x.y] \"{root}.audit.x.y\""], subscriber.StandardOutput);
    }

    [Fact]
    public async Task A_queue_group_pair_splits_the_messages()
    {
        string topic = Cli.Unique("work");
        await using PeerProcess first = await Cli.SubscribedAsync(broker.Endpoint, "--topic", topic, "--group", "workers");
        await using PeerProcess second = await Cli.SubscribedAsync(broker.Endpoint, "--topic", topic, "--group", "workers");
        await using PeerProcess publisher = Cli.Publisher(broker.Endpoint, "--topic", topic, "--message", "job", "--count", "10");
        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);

        // Round robin over two idle members: five each.
        await Waiting.UntilAsync(() => first.StandardOutput.Count + second.StandardOutput.Count == 10, Cli.Timeout);
        Assert.Equal(5, first.StandardOutput.Count);
        Assert.Equal(5, second.StandardOutput.Count);
    }

    [Fact]
    public async Task Subscribe_timeout_without_enough_messages_fails_with_the_timeout_code()
    {
        await using PeerProcess subscriber = Cli.Subscriber(broker.Endpoint, "--topic", Cli.Unique("quiet"), "--count", "1", "--timeout", "0.5");

        Assert.Equal(4, (await Cli.RunAsync(subscriber)).ExitCode);
        Assert.Contains("timed out after receiving 0 of 1 messages", subscriber.Output);
    }

    [Fact]
    public async Task Subscribe_timeout_without_count_just_ends()
    {
        await using PeerProcess subscriber = Cli.Subscriber(broker.Endpoint, "--topic", Cli.Unique("quiet"), "--timeout", "0.5");

        Assert.Equal(0, (await Cli.RunAsync(subscriber)).ExitCode);
    }

    [Fact]
    public async Task An_invalid_pattern_exits_with_the_invalid_subject_code()
    {
        await using PeerProcess subscriber = Cli.Subscriber(broker.Endpoint, "--topic", "a.>.b");

        Assert.Equal(6, (await Cli.RunAsync(subscriber)).ExitCode);
        Assert.Contains("'>' before its last token", subscriber.StandardError.Single());
    }

    [Fact]
    public async Task Sigterm_stops_a_running_subscriber_cleanly()
    {
        await using PeerProcess subscriber = await Cli.SubscribedAsync(broker.Endpoint, "--topic", Cli.Unique("forever"));

        subscriber.Signal(15);

        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
        Assert.DoesNotContain("   at ", subscriber.Output);
    }

    [Fact]
    public async Task Serve_count_answers_that_many_requests_then_exits_zero()
    {
        string service = Cli.Unique("counted");
        await using PeerProcess server = await Cli.ServingAsync(broker.Endpoint, "--service", service, "--count", "2");
        await using PeerProcess requester = Cli.Publisher(broker.Endpoint, "request", "--service", service, "--message", "hi", "--count", "2");

        Assert.Equal(0, (await Cli.RunAsync(requester)).ExitCode);
        Assert.Equal(0, await server.WaitForExitAsync(Cli.Timeout));
    }

    [Fact]
    public async Task The_demo_peers_publish_subscribe_request_and_serve_and_stop_on_sigterm()
    {
        string topic = Cli.Unique("demo");
        string stats = Cli.Unique("stats");
        await using PeerProcess subscriber = Cli.Subscriber(broker.Endpoint, "demo", "--topic", $"{topic}.>", "--stats-service", stats, "--name", "demo-sub");
        await subscriber.WaitForLineAsync($"service '{stats}' is open", Cli.Timeout);
        await using PeerProcess publisher = Cli.Publisher(broker.Endpoint, "demo", "--topic", $"{topic}.ticks", "--stats-service", stats, "--rate", "20", "--count", "10", "--stats-every", "0.2");

        Assert.Equal(0, (await Cli.RunAsync(publisher)).ExitCode);
        Assert.Contains(publisher.StandardOutput, line => line.Contains($"reply from {stats}") && line.Contains("\"Received\":10"));
        await subscriber.WaitForLineAsync($"received {topic}.ticks", Cli.Timeout);

        subscriber.Signal(15);
        Assert.Equal(0, await subscriber.WaitForExitAsync(Cli.Timeout));
    }
}
