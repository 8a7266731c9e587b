using System.CommandLine;
using Mq.Broker.Hosting;

// The options shown here are the common ones; any configuration key also works as --Broker:Key=value
// (see README), so unknown tokens go to the host's configuration instead of being errors.
var endpoint = new Option<string>("--endpoint") { Description = "Where to listen, e.g. tcp://127.0.0.1:5555 (port 0: any free port)" };
var name = new Option<string>("--name") { Description = "The broker's name in logs and in the handshake" };
var root = new RootCommand("Mq broker: routes publish/subscribe and request/reply between peers.") { TreatUnmatchedTokensAsErrors = false };
root.Options.Add(endpoint);
root.Options.Add(name);
root.SetAction((_, _) => BrokerProgram.RunAsync(args));

var healthEndpoint = new Option<string>("--endpoint") { Description = "The broker to check", DefaultValueFactory = _ => "tcp://127.0.0.1:5555" };
var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for the broker's greeting", DefaultValueFactory = _ => 3 };
var health = new Command("health", "Exit 0 if a broker answers at --endpoint (container health checks)") { healthEndpoint, timeout };
health.SetAction(parse =>
{
    string? problem = HealthProbe.Check(parse.GetValue(healthEndpoint)!, TimeSpan.FromSeconds(parse.GetValue(timeout)));
    Console.WriteLine(problem is null ? "healthy" : $"unhealthy: {problem}");
    return problem is null ? 0 : 1;
});
root.Subcommands.Add(health);

var keyOut = new Option<string>("--out") { Description = "Private key file to create (PEM, owner-only); the public key goes to FILE.pub", Required = true };
var force = new Option<bool>("--force") { Description = "Replace existing files" };
var identity = new Command("identity", "Generate a key pair for a peer identity; prints the public key for the security policy") { keyOut, force };
identity.SetAction(parse => IdentityKeygen.Run(parse.GetValue(keyOut)!, parse.GetValue(force), Console.Out, Console.Error));
root.Subcommands.Add(identity);

// The host handles SIGTERM itself, draining within its shutdown timeout.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
