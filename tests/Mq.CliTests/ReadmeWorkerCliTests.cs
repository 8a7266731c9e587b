using System.Diagnostics;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests;

/// <summary>
/// The README's hosted worker (tests/Mq.TestApps/Mq.ReadmeWorker) run as a process, with the README's command-line
/// calls against it: what reaches it, what it cannot read, and how it starts when its broker is not there.
/// </summary>
public sealed class ReadmeWorkerCliTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private const string Worker = "Mq.ReadmeWorker";

    [Fact]
    public async Task The_readme_publish_example_reaches_the_readme_worker()
    {
        await using PeerProcess worker = await StartedWorkerAsync(fixture.Broker.Endpoint);

        var (exitCode, publisher) = await Cli.RunAsync(Cli.Publisher(fixture.Broker.Endpoint, "orders.eu.created", """{"id":42}"""));

        Assert.Equal(0, exitCode);
        Assert.Contains("published 1 message", publisher.StandardOutput.Single());
        await worker.WaitForLineAsync("order 42 on orders.eu.created", Cli.Timeout);
    }

    [Fact]
    public async Task Messages_the_worker_cannot_read_are_one_warning_line_and_a_count_and_the_worker_goes_on()
    {
        await using PeerProcess worker = await StartedWorkerAsync(fixture.Broker.Endpoint);

        foreach (string json in new[] { "[42]", """{"id":"forty-two"}""", """{"id":43}""" })
        {
            Assert.Equal(0, (await Cli.RunAsync(Cli.Publisher(fixture.Broker.Endpoint, "orders.eu.created", json))).ExitCode);
        }

        // The readable message was handled after the two unreadable ones, one at a time in order.
        await worker.WaitForLineAsync("order 43 on orders.eu.created", Cli.Timeout);
        string warning = Assert.Single(worker.StandardOutput, line => line.Contains("could not be read", StringComparison.Ordinal));
        Assert.Contains("subscription 'orders.*.created' (on orders.eu.created): the payload could not be read as OrderCreated", warning);
        Assert.Contains("(1 so far; logged at most every 10 s)", warning);
        Assert.DoesNotContain("   at ", worker.Output);
    }

    [Fact]
    public async Task A_request_the_service_cannot_read_gives_the_requester_one_clear_error_and_the_worker_one_line()
    {
        await using PeerProcess worker = await StartedWorkerAsync(fixture.Broker.Endpoint);

        var (exitCode, requester) = await Cli.RunAsync(Cli.Publisher(fixture.Broker.Endpoint, "request", "prices.quote", """{"sku":1}"""));

        Assert.Equal(5, exitCode);
        Assert.Contains("the payload could not be read as String", requester.StandardError.Single());
        await worker.WaitForLineAsync("service 'prices.quote': the payload could not be read as String", Cli.Timeout);
        Assert.DoesNotContain("   at ", worker.Output);

        var (quoted, good) = await Cli.RunAsync(Cli.Publisher(fixture.Broker.Endpoint, "request", "prices.quote", "sku-1"));
        Assert.Equal(0, quoted);
        Assert.Contains("9.99", good.StandardOutput.Single());
    }

    [Fact]
    public async Task A_worker_started_before_its_broker_waits_saying_so_and_opens_once_the_broker_is_up()
    {
        string endpoint = Cli.UnusedEndpoint();
        await using PeerProcess worker = StartWorker(endpoint);
        await worker.WaitForLineAsync("Waiting for the Mq broker", Cli.Timeout);
        Assert.Contains("connection refused", worker.Output);

        (PeerProcess late, _) = await BrokerProcess.StartAsync(endpoint);
        await using (late)
        {
            await worker.WaitForLineAsync("Mq service 'prices.quote' is open", Cli.Timeout);
            Assert.False(worker.HasExited);
            Assert.DoesNotContain("   at ", worker.Output);
        }
    }

    [Fact]
    public async Task Without_retry_a_refused_broker_stops_the_worker_at_once_with_one_line_and_exit_code_2()
    {
        var clock = Stopwatch.StartNew();
        await using PeerProcess worker = StartWorker(Cli.UnusedEndpoint(), ("Mq__RetryInitialConnect", "false"), ("Mq__ConnectTimeout", "00:01:00"));

        Assert.Equal(2, await worker.WaitForExitAsync(Cli.Timeout));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "refused at once, not after the one-minute connect timeout");
        Assert.Contains("Mq cannot start: cannot reach the Mq broker at tcp://127.0.0.1:", Assert.Single(worker.Output.Split('\n'), line => line.Contains("Mq cannot start", StringComparison.Ordinal)));
        Assert.DoesNotContain("   at ", worker.Output);
    }

    [Theory]
    [InlineData("Mq__Endpoint", "not-an-endpoint", "Endpoint must look like tcp://127.0.0.1:5555")]
    [InlineData("Mq__Endpont", "tcp://127.0.0.1:5555", "unknown setting Mq:Endpont (did you mean Mq:Endpoint?)")]
    [InlineData("Mq__ConnectTimeout", "soon", "setting Mq:ConnectTimeout: 'soon' is not a time span such as 00:00:05 (hh:mm:ss)")]
    [InlineData("Mq__RetryInitialConnect", "maybe", "setting Mq:RetryInitialConnect: 'maybe' is not true or false")]
    public async Task Invalid_configuration_stops_the_worker_with_one_line_naming_the_key_and_exit_code_3(string key, string value, string problem)
    {
        await using PeerProcess worker = StartWorker(fixture.Broker.Endpoint, (key, value));

        Assert.Equal(3, await worker.WaitForExitAsync(Cli.Timeout));
        Assert.Contains($"Mq configuration is invalid: ", worker.Output);
        Assert.Single(worker.Output.Split('\n'), line => line.Contains(problem, StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", worker.Output);
        Assert.DoesNotContain("is open", worker.Output);
    }

    private static PeerProcess StartWorker(string endpoint, params (string Key, string Value)[] settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["Mq__Endpoint"] = endpoint,
            ["Mq__Name"] = "readme-worker",
            ["DOTNET_ENVIRONMENT"] = "Production",
        };
        foreach ((string key, string value) in settings)
        {
            environment[key] = value;
        }

        return PeerProcess.Start(Worker, [], environment);
    }

    private static async Task<PeerProcess> StartedWorkerAsync(string endpoint)
    {
        PeerProcess worker = StartWorker(endpoint);
        try
        {
            await worker.WaitForLineAsync("Mq subscription 'orders.*.created' is open", Cli.Timeout);
            await worker.WaitForLineAsync("Mq service 'prices.quote' is open", Cli.Timeout);
            return worker;
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }
}
