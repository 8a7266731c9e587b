using System.CommandLine;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Mq.Client;
using Mq.Errors;
using Mq.Security;

namespace Mq.CommandLine;

/// <summary>Options every command of both peers takes (where the broker is and who we are), and connecting with them.</summary>
internal sealed partial class CommonOptions
{
    public const string BrokerVariable = "MQ_BROKER";
    public const string BrokerKeyVariable = "MQ_BROKER_KEY";
    public const string DiscoveryVariable = "MQ_DISCOVERY";
    public const string DefaultEndpoint = "tcp://127.0.0.1:5555";

    public CommonOptions(string defaultName)
    {
        Broker = new Option<string>("--broker", "-b")
        {
            Description = $"Broker endpoint: tcp://host:port, unix:///path/broker.sock (a broker's Unix socket on this machine), pipe://name (on Linux and macOS the Unix socket of .NET's named pipe 'name'), or auto to find one by discovery (--discovery); the default is ${BrokerVariable} when set",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(BrokerVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultEndpoint,
        };
        Broker.Validators.Add(result =>
        {
            // Checked here: NetMQ would reject a malformed endpoint only with an exception from deep in its resolver.
            string endpoint = result.GetValueOrDefault<string>();
            if (Protocol.LocalEndpoint.IsLocal(endpoint))
            {
                if (Protocol.LocalEndpoint.SocketPath(endpoint, out string? problem) is null)
                {
                    result.AddError($"--broker: {problem}");
                }
            }
            else if (endpoint != MqClientOptions.AutoEndpoint
                && (TcpEndpoint().Match(endpoint) is not { Success: true } match || int.Parse(match.Groups["port"].Value) is < 1 or > 65535))
            {
                result.AddError($"--broker '{endpoint}' must look like tcp://host:port (e.g. {DefaultEndpoint}), unix:///path/broker.sock or pipe://name, or be auto");
            }
        });

        Discovery = new Option<string>("--discovery")
        {
            Description = $"Where --broker auto asks for a broker, host:port: the local network's broadcast address by default, or one broker's --discovery address; the default is ${DiscoveryVariable} when set",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(DiscoveryVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : MqClientOptions.Default.DiscoveryAddress,
        };
        Discovery.Validators.Add(result =>
        {
            if (Protocol.HostPort.Parse(result.GetValueOrDefault<string>()) is not { Port: > 0 })
            {
                result.AddError($"--discovery '{result.GetValueOrDefault<string>()}' must be host:port with an IP address, e.g. {MqClientOptions.Default.DiscoveryAddress}");
            }
        });

        Name = new Option<string>("--name", "-n")
        {
            Description = "This peer's name, shown in the broker's logs and errors",
            DefaultValueFactory = _ => defaultName,
        };
        Name.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is not { Length: > 0 } name || name.Any(char.IsControl))
            {
                result.AddError("--name must be non-empty and free of control characters");
            }
        });

        ConnectTimeout = new Option<int>("--connect-timeout")
        {
            Description = "Milliseconds to wait for the broker before giving up (exit 2)",
            DefaultValueFactory = _ => 5000,
        }.Positive();

        BrokerKey = new Option<string?>("--broker-key")
        {
            Description = $"The broker's CURVE public key, z85 or @file (its .pub): encrypts the connection and talks only to that broker; the default is ${BrokerKeyVariable} when set",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(BrokerKeyVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null,
        };
        BrokerKey.Validators.Add(result =>
        {
            try
            {
                if (result.GetValueOrDefault<string?>() is { Length: > 0 } key)
                {
                    CurveKeys.PublicKeyArgument(key, "--broker-key");
                }
            }
            catch (KeyFileException ex)
            {
                result.AddError(ex.Message);
            }
        });
        IdentityKey.Validators.Add(result =>
        {
            // Read here, so a damaged file is one usage line, not an exception from deep in the connect.
            try
            {
                if (result.GetValueOrDefault<string?>() is { } path)
                {
                    IdentityProof.LoadPrivateKeyFile(path).Dispose();
                }
            }
            catch (KeyFileException ex)
            {
                result.AddError(ex.Message);
            }
        });
    }

    public Option<string?> Identity { get; } = new("--identity")
    {
        Description = "Identity to prove to a broker with a security policy (needs --identity-key)",
    };

    public Option<string?> IdentityKey { get; } = new("--identity-key")
    {
        Description = "PEM file with the identity's private key (from `Mq.Broker identity`)",
    };

    public Option<string> Broker { get; }

    public Option<string?> BrokerKey { get; }

    public Option<string> Discovery { get; }

    public Option<string> Name { get; }

    public Option<int> ConnectTimeout { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(Broker);
        command.Options.Add(Discovery);
        command.Options.Add(Name);
        command.Options.Add(ConnectTimeout);
        command.Options.Add(BrokerKey);
        command.Options.Add(Identity);
        command.Options.Add(IdentityKey);
        command.Validators.Add(result =>
        {
            // By presence, not value: the value of an option given without one (--identity-key=) cannot be read.
            if ((result.GetResult(Identity) is null) != (result.GetResult(IdentityKey) is null))
            {
                result.AddError("--identity and --identity-key go together");
            }

            // MQ_BROKER_KEY counts too: a pinned key would otherwise fail only once connecting.
            if (result.GetValue(BrokerKey) is { Length: > 0 } && result.GetValue(Broker) is { } endpoint && Protocol.LocalEndpoint.IsLocal(endpoint))
            {
                result.AddError(MqClientOptions.UnixWithKey(endpoint).Replace("BrokerPublicKey", "--broker-key", StringComparison.Ordinal));
            }
        });
    }

    public MqClientOptions ClientOptions(ParseResult parse) => MqClientOptions.Default with
    {
        Endpoint = parse.GetValue(Broker)!,
        DiscoveryAddress = parse.GetValue(Discovery)!,
        Name = parse.GetValue(Name)!,
        ConnectTimeout = TimeSpan.FromMilliseconds(parse.GetValue(ConnectTimeout)),
        BrokerPublicKey = parse.GetValue(BrokerKey) is { Length: > 0 } key ? CurveKeys.PublicKeyArgument(key, "--broker-key") : null,
        Identity = parse.GetValue(Identity),
        IdentityKeyFile = parse.GetValue(IdentityKey),
    };

    /// <summary>Connects, failing with <see cref="NotConnectedException"/> (exit 2) when the broker cannot be reached.</summary>
    public async Task<MqClient> ConnectAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        MqClientOptions options = ClientOptions(parse);
        try
        {
            return await MqClient.ConnectAsync(options, cancellationToken: cancellationToken);
        }
        catch (SocketException ex)
        {
            // The library lets a failed host name lookup escape as it is; to the user it is an unreachable broker.
            throw new NotConnectedException($"cannot reach the Mq broker at {options.Endpoint}: {ex.Message}");
        }
    }

    [GeneratedRegex(@"^tcp://(\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]@?#]+):(?<port>\d{1,5})$")]
    private static partial Regex TcpEndpoint();
}
