using System.Text;
using Mq.Client;
using Mq.Testing;

namespace Mq.CliTests;

/// <summary>Mq.Publisher request's other forms: a streamed reply printed part by part, and a scatter-gather to every server.</summary>
public sealed class RequestFormsCliTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Stream_prints_each_part_as_json_then_a_summary_on_stderr()
    {
        string service = Cli.Unique("export");
        await using MqClient server = await fixture.Broker.ConnectAsync("exporter");
        await using MqService serving = await server.ServeAsync(service, async (request, ct) =>
        {
            for (int i = 1; i <= 3; i++)
            {
                await request.SendPartAsync(Encoding.UTF8.GetBytes($$"""{"row":{{i}}}"""), new Dictionary<string, string> { ["content-type"] = "application/json" }, ct);
            }

            return ReadOnlyMemory<byte>.Empty;
        });
        await using PeerProcess requester = Cli.Publisher(fixture.Broker.Endpoint, "request", service, "--stream");

        Assert.Equal(0, (await Cli.RunAsync(requester)).ExitCode);
        Assert.Equal(["""{"row":1}""", """{"row":2}""", """{"row":3}"""], requester.StandardOutput);
        Assert.Matches($@"^3 parts and the reply from {service} in \d+\.\d{{3}} ms$", requester.StandardError.Single());
    }

    [Fact]
    public async Task All_prints_every_servers_answer_and_each_failure_on_stderr()
    {
        string service = Cli.Unique("census");
        await using MqClient first = await fixture.Broker.ConnectAsync("census-good");
        await using MqClient second = await fixture.Broker.ConnectAsync("census-bad");
        await using MqService good = await first.ServeAsync(service, (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes("\"fine\"")));
        await using MqService bad = await second.ServeAsync(service, (_, _) => throw new InvalidOperationException("out of order"));
        await using PeerProcess requester = Cli.Publisher(fixture.Broker.Endpoint, "request", service, "--all");

        Assert.Equal(0, (await Cli.RunAsync(requester)).ExitCode);
        Assert.Single(requester.StandardOutput);
        Assert.Contains(requester.StandardError, line => line.StartsWith($"error from {second.PeerId}: ", StringComparison.Ordinal) && line.Contains("out of order", StringComparison.Ordinal));
        Assert.Contains(requester.StandardError, line => line.StartsWith($"reply from {first.PeerId} in ", StringComparison.Ordinal));
        Assert.Matches($@"^1 reply and 1 failure from the servers of {service} in \d+\.\d{{3}} ms$", requester.StandardError[^1]);
    }

    [Fact]
    public async Task All_with_every_server_failing_exits_with_the_failures_code()
    {
        string service = Cli.Unique("broken");
        await using MqClient server = await fixture.Broker.ConnectAsync("broken-server");
        await using MqService bad = await server.ServeAsync(service, (_, _) => throw new InvalidOperationException("down"));
        await using PeerProcess requester = Cli.Publisher(fixture.Broker.Endpoint, "request", service, "--all");

        Assert.Equal(5, (await Cli.RunAsync(requester)).ExitCode);
        Assert.Contains("down", requester.StandardError[^1]);
    }

    [Fact]
    public async Task Stream_and_all_together_are_refused_with_one_line()
    {
        await using PeerProcess requester = Cli.Publisher(fixture.Broker.Endpoint, "request", "any.thing", "--stream", "--all");

        Assert.Equal(1, (await Cli.RunAsync(requester)).ExitCode);
        Assert.Contains("--stream and --all do not go together", string.Join('\n', requester.StandardError));
    }
}
