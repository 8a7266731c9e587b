using System.CommandLine;
using Mq.Broker.Hosting;
using Mq.Hosting;

// Before any socket exists: the runtime reads this once (see InlineSocketCompletions for why it pays).
InlineSocketCompletions.Enable();

// The options shown here are the common ones; any configuration key also works as --Broker:Key=value
// (see README), so unmatched tokens reach BrokerProgram, which refuses those that are no setting.
var endpoint = new Option<string[]>(BrokerArguments.EndpointOption) { Description = "Where to listen, e.g. tcp://127.0.0.1:5555 (port 0: any free port) or unix:///run/mq/broker.sock; repeat it to listen on several", AllowMultipleArgumentsPerToken = false };
var name = new Option<string>("--name") { Description = "The broker's name in logs and in the handshake" };
var monitor = new Option<string>("--monitor") { Description = "Serve health, metrics and the dashboard over HTTP at this address, e.g. 127.0.0.1:8222 (port 0: any free port; loopback only unless Broker:Monitoring:AllowRemote)" };
var config = new Option<string>(BrokerArguments.ConfigOption) { Description = $"A JSON configuration file read after the appsettings.json beside the executable (default: ${BrokerArguments.ConfigVariable})" };
var root = new RootCommand("Mq broker: routes publish/subscribe and request/reply between peers.") { TreatUnmatchedTokensAsErrors = false };
root.Options.Add(endpoint);
root.Options.Add(name);
root.Options.Add(monitor);
root.Options.Add(config);
root.SetAction((_, _) => BrokerProgram.RunAsync(args));

var healthEndpoint = new Option<string>("--endpoint") { Description = "The broker to check", DefaultValueFactory = _ => "tcp://127.0.0.1:5555" };
var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for the broker's greeting", DefaultValueFactory = _ => 3 };
var healthKey = new Option<string?>("--broker-key") { Description = "The broker's CURVE public key, z85 or @file, when it encrypts" };
var health = new Command("health", "Exit 0 if a broker answers at --endpoint (container health checks)") { healthEndpoint, timeout, healthKey };
health.SetAction(parse =>
{
    string? problem = HealthProbe.Check(parse.GetValue(healthEndpoint)!, TimeSpan.FromSeconds(parse.GetValue(timeout)), parse.GetValue(healthKey));
    Console.WriteLine(problem is null ? "healthy" : $"unhealthy: {problem}");
    return problem is null ? 0 : 1;
});
root.Subcommands.Add(health);

foreach (string query in SystemQuery.Commands)
{
    var shared = new SystemCommandOptions("Seconds to wait for the broker and for its answer", 5);
    Command command = shared.Command(query, $"Ask a running broker $SYS.{query} and print the reply as a table");
    command.SetAction(async (parse, cancellationToken) =>
    {
        TimeSpan wait = TimeSpan.FromSeconds(parse.GetValue(shared.Timeout)!.Value);
        try
        {
            return await SystemQuery.RunAsync(query, shared.ClientOptions(parse, $"mq-broker-{query}", wait), parse.GetValue(shared.Json), Console.Out, Console.Error, cancellationToken);
        }
        catch (Mq.Security.KeyFileException ex)
        {
            Console.Error.WriteLine($"Mq broker {query}: {ex.Message}");
            return BrokerProgram.BadArguments;
        }
    });
    root.Subcommands.Add(command);
}

foreach (Command streamCommand in StreamCommands.Create())
{
    root.Subcommands.Add(streamCommand);
}

root.Subcommands.Add(KeyValueCommands.Create());

var watchOptions = new SystemCommandOptions("Seconds to wait for the broker, then for the events (default: connect within 5 s, then watch until stopped)", null);
var eventCount = new Option<int?>("--count") { Description = "Exit 0 after this many events (2 if fewer came within --timeout)" };
eventCount.Validators.Add(result =>
{
    if (result.GetValueOrDefault<int?>() is <= 0)
    {
        result.AddError("--count must be a positive number");
    }
});
var kinds = new Argument<string[]>("kind") { Description = "Events to watch, as subjects under $SYS.event. with wildcards: peer.connected, peer.*, slow_consumer (default: all)", Arity = ArgumentArity.ZeroOrMore };
kinds.Validators.Add(result =>
{
    foreach (string kind in result.GetValueOrDefault<string[]>() ?? [])
    {
        if (Mq.Subjects.Subject.Validate(EventWatch.Prefix + kind, Mq.Subjects.SubjectKind.Pattern) is { } problem)
        {
            result.AddError(problem);
        }
    }
});
Command events = watchOptions.Command("events", "Watch a running broker's events ($SYS.event.>) and print each as it comes: a line, or a JSON object with --json");
events.Options.Add(eventCount);
events.Arguments.Add(kinds);
events.SetAction(async (parse, cancellationToken) =>
{
    double? seconds = parse.GetValue(watchOptions.Timeout);
    try
    {
        Mq.Client.MqClientOptions options = watchOptions.ClientOptions(parse, "mq-broker-events", TimeSpan.FromSeconds(seconds ?? 5));
        return await EventWatch.RunAsync(options, parse.GetValue(kinds) ?? [], parse.GetValue(eventCount), seconds is { } s ? TimeSpan.FromSeconds(s) : null,
            parse.GetValue(watchOptions.Json), Console.Out, Console.Error, cancellationToken);
    }
    catch (Mq.Security.KeyFileException ex)
    {
        Console.Error.WriteLine($"Mq broker events: {ex.Message}");
        return BrokerProgram.BadArguments;
    }
});
root.Subcommands.Add(events);

var keyOut = new Option<string>("--out", "-o") { Description = "Secret key file to write; the public key goes to <path>.pub", Required = true };
var force = new Option<bool>("--force") { Description = "Replace an existing key pair" };
var keygen = new Command("keygen", "Write a new CURVE key pair (z85) for the broker's endpoint and print its public key") { keyOut, force };
keygen.SetAction(parse => KeyGenerator.Run(parse.GetValue(keyOut)!, parse.GetValue(force), Console.Out, Console.Error));
root.Subcommands.Add(keygen);

var identityOut = new Option<string>("--out", "-o") { Description = "Private key file to write (PEM, owner-only); the public key goes to <path>.pub", Required = true };
var identityForce = new Option<bool>("--force") { Description = "Replace an existing key pair" };
var identity = new Command("identity", "Write a new key pair for a peer identity and print the public key for the security policy") { identityOut, identityForce };
identity.SetAction(parse => IdentityKeygen.Run(parse.GetValue(identityOut)!, parse.GetValue(identityForce), Console.Out, Console.Error));
root.Subcommands.Add(identity);

// The host handles SIGTERM itself, draining within its shutdown timeout.
// No response files: "@path" is how --broker-key names a key file, and the parser would otherwise read it as arguments.
ParseResult parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
if (parse.Action is System.CommandLine.Invocation.ParseErrorAction)
{
    // The mistake, not the mistake and the whole help text.
    foreach (System.CommandLine.Parsing.ParseError error in parse.Errors)
    {
        Console.Error.WriteLine($"Mq broker: {error.Message} (see --help)");
    }

    return BrokerProgram.BadArguments;
}

return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
