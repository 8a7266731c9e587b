using System.CommandLine;
using Mq.Client;
using Mq.Security;

namespace Mq.Broker.Hosting;

/// <summary>
/// The options of every command that talks to a running broker as a peer (<see cref="SystemQuery"/>,
/// <see cref="EventWatch"/>): where it listens, its key, the identity to prove, how long to wait, and --json.
/// </summary>
internal sealed class SystemCommandOptions
{
    public SystemCommandOptions(string timeoutDescription, double? defaultTimeout)
    {
        Timeout = new Option<double?>("--timeout") { Description = timeoutDescription };
        if (defaultTimeout is { } seconds)
        {
            Timeout.DefaultValueFactory = _ => seconds;
        }

        Timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is { } value && value is not > 0)
            {
                result.AddError("--timeout must be a positive number of seconds");
            }
        });
    }

    public Option<string> Endpoint { get; } = new("--endpoint") { Description = "The broker to ask", DefaultValueFactory = _ => "tcp://127.0.0.1:5555" };

    public Option<string?> BrokerKey { get; } = new("--broker-key") { Description = "The broker's CURVE public key, z85 or @file, when it encrypts" };

    public Option<string?> Identity { get; } = new("--identity") { Description = "Identity to prove to a broker with a security policy (needs --identity-key)" };

    public Option<string?> IdentityKey { get; } = new("--identity-key") { Description = "PEM file with the identity's private key" };

    public Option<double?> Timeout { get; }

    public Option<bool> Json { get; } = new("--json") { Description = "Print JSON (for scripts) instead of text for people" };

    /// <summary>A command with these options and their rules.</summary>
    public Command Command(string name, string description)
    {
        var command = new Command(name, description) { Endpoint, BrokerKey, Identity, IdentityKey, Timeout, Json };
        command.Validators.Add(result =>
        {
            if ((result.GetResult(Identity) is null) != (result.GetResult(IdentityKey) is null))
            {
                result.AddError("--identity and --identity-key go together");
            }
        });
        return command;
    }

    /// <summary>The client options a command connects with, waiting <paramref name="wait"/> for the broker and its answers.</summary>
    public MqClientOptions ClientOptions(ParseResult parse, string name, TimeSpan wait) => MqClientOptions.Default with
    {
        Endpoint = parse.GetValue(Endpoint)!,
        Name = name,
        ConnectTimeout = wait,
        RequestTimeout = wait,
        BrokerPublicKey = parse.GetValue(BrokerKey) is { Length: > 0 } key ? CurveKeys.PublicKeyArgument(key, "--broker-key") : null,
        Identity = parse.GetValue(Identity),
        IdentityKeyFile = parse.GetValue(IdentityKey),
    };
}
