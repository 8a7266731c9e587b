using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests;

/// <summary>What needs no broker: help, version, usage errors, and a broker that is not there.</summary>
public sealed class UsageCliTests
{
    [Theory]
    [InlineData("Mq.Publisher", "--help")]
    [InlineData("Mq.Publisher", "--version")]
    [InlineData("Mq.Publisher", "publish", "--help")]
    [InlineData("Mq.Publisher", "request", "--help")]
    [InlineData("Mq.Subscriber", "--help")]
    [InlineData("Mq.Subscriber", "--version")]
    [InlineData("Mq.Subscriber", "subscribe", "--help")]
    [InlineData("Mq.Subscriber", "serve", "--help")]
    public async Task Help_and_version_exit_zero(string peer, params string[] arguments)
    {
        await using PeerProcess process = PeerProcess.Start(peer, arguments);

        Assert.Equal(0, (await Cli.RunAsync(process)).ExitCode);
        Assert.NotEmpty(process.StandardOutput);
        Assert.Empty(process.StandardError);
    }

    [Theory]
    [InlineData("Mq.Publisher", "-t, --subject, --topic <subject>", "--help")]
    [InlineData("Mq.Publisher", "<subject>", "publish", "--help")]
    [InlineData("Mq.Publisher", "--send-on", "publish", "--help")]
    [InlineData("Mq.Subscriber", "<subject>", "--help")]
    [InlineData("Mq.Subscriber", "--verbose", "serve", "--help")]
    public async Task Help_shows_the_positional_name_and_the_options(string peer, string shown, params string[] arguments)
    {
        await using PeerProcess process = PeerProcess.Start(peer, arguments);

        Assert.Equal(0, (await Cli.RunAsync(process)).ExitCode);
        Assert.Contains(process.StandardOutput, line => line.Contains(shown, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Mq.Publisher", "a subject is required: Mq.Publisher SUBJECT [PAYLOAD], or --subject SUBJECT")]
    [InlineData("Mq.Publisher", "give the subject either as the first argument or with --subject, not both", "a", "--topic", "b")]
    [InlineData("Mq.Publisher", "a service is required: Mq.Publisher request SERVICE [PAYLOAD], or --service SERVICE", "request")]
    [InlineData("Mq.Publisher", "--count repeats one payload", "a", "--count", "2", "--send-on", "newline")]
    [InlineData("Mq.Publisher", "--send-on newline reads the messages from standard input", "a", "payload", "--send-on", "newline")]
    [InlineData("Mq.Publisher", "Argument 'lines' not recognized", "a", "--send-on", "lines")]
    [InlineData("Mq.Publisher", "Cannot parse argument 'many'", "--topic", "a", "--count", "many")]
    [InlineData("Mq.Publisher", "--count must be at least 1", "--topic", "a", "--count", "0")]
    [InlineData("Mq.Publisher", "--rate must be at least 0", "--topic", "a", "--rate", "-1")]
    [InlineData("Mq.Publisher", "--size must be at least 0", "--topic", "a", "--size", "-1")]
    [InlineData("Mq.Publisher", "give only one payload", "--topic", "a", "--message", "x", "--json", "1")]
    [InlineData("Mq.Publisher", "give only one payload", "a", "text", "--message", "x")]
    [InlineData("Mq.Publisher", "--timeout must be positive", "request", "--service", "a", "--timeout", "0")]
    [InlineData("Mq.Publisher", "--broker 'localhost' must look like tcp://host:port (e.g.", "--topic", "a", "--broker", "localhost")]
    [InlineData("Mq.Publisher", "--broker 'tcp://127.0.0.1:70000' must look like", "--topic", "a", "--broker", "tcp://127.0.0.1:70000")]
    [InlineData("Mq.Publisher", "--name must be non-empty", "--topic", "a", "--name", "")]
    [InlineData("Mq.Publisher", "--connect-timeout must be positive", "--topic", "a", "--connect-timeout", "0")]
    [InlineData("Mq.Publisher", "--broker-key must be 40 z85 characters", "--topic", "a", "--broker-key", "short")]
    [InlineData("Mq.Publisher", "cannot read key file '/nonexistent/broker.key.pub'", "--topic", "a", "--broker-key", "@/nonexistent/broker.key.pub")]
    [InlineData("Mq.Subscriber", "--broker-key must be 40 z85 characters", "--topic", "a", "--broker-key", "short")]
    [InlineData("Mq.Subscriber", "a subject is required: Mq.Subscriber PATTERN..., or --subject SUBJECT")]
    [InlineData("Mq.Subscriber", "a service is required: Mq.Subscriber serve SERVICE, or --service SERVICE", "serve")]
    [InlineData("Mq.Subscriber", "Argument 'xml' not recognized. Must be one of: 'text' 'json'", "--topic", "a", "--output", "xml")]
    [InlineData("Mq.Subscriber", "Unrecognized command or argument '--header=k=v'", "serve", "--service", "a", "--header=k=v")]
    [InlineData("Mq.Subscriber", "--timeout must be positive", "--topic", "a", "--timeout", "-2")]
    [InlineData("Mq.Subscriber", "--count must be at least 1", "serve", "--service", "a", "--count", "0")]
    [InlineData("Mq.Subscriber", "--delay must be at least 0", "serve", "--service", "a", "--delay", "-1")]
    public async Task Bad_arguments_exit_one_with_one_line_and_no_help_dump(string peer, string message, params string[] arguments)
    {
        await using PeerProcess process = PeerProcess.Start(peer, arguments);

        Assert.Equal(1, (await Cli.RunAsync(process)).ExitCode);
        Assert.Contains(message, process.StandardError.Single());
        Assert.Empty(process.StandardOutput);
    }

    [Theory]
    [InlineData("Mq.Publisher", "--topic", "a", "--message", "x")]
    [InlineData("Mq.Publisher", "request", "--service", "a")]
    [InlineData("Mq.Subscriber", "--topic", "a")]
    [InlineData("Mq.Subscriber", "serve", "--service", "a")]
    public async Task A_refused_broker_exits_with_the_not_connected_code_at_once_not_after_the_connect_timeout(string peer, params string[] arguments)
    {
        string endpoint = Cli.UnusedEndpoint();

        // A connect timeout of two minutes, four times the bound the run must end within.
        await using PeerProcess process = PeerProcess.Start(peer, [.. arguments, "--broker", endpoint, "--connect-timeout", "120000"], null, "");

        Assert.Equal(2, (await Cli.RunAsync(process)).ExitCode);
        Assert.Equal($"error: cannot reach the Mq broker at {endpoint}: connection refused (nothing is listening there)", process.StandardError.Single());
    }
}
