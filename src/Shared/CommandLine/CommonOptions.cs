using System.CommandLine;
using Mq.Client;

namespace Mq.CommandLine;

/// <summary>Options every command of both peers takes: where the broker is and who we are.</summary>
internal sealed class CommonOptions
{
    public const string BrokerVariable = "MQ_BROKER";

    public CommonOptions(string defaultName)
    {
        Broker = new Option<string>("--broker", "-b")
        {
            Description = $"Broker endpoint (default: ${BrokerVariable} or tcp://127.0.0.1:5555)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(BrokerVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : "tcp://127.0.0.1:5555",
        };
        Name = new Option<string>("--name", "-n")
        {
            Description = "This peer's name, shown in the broker's logs and errors",
            DefaultValueFactory = _ => defaultName,
        };
        ConnectTimeout = new Option<int>("--connect-timeout")
        {
            Description = "Milliseconds to wait for the broker before giving up",
            DefaultValueFactory = _ => 5000,
        };
        ConnectTimeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError("--connect-timeout must be positive");
            }
        });
    }

    public Option<string> Broker { get; }

    public Option<string> Name { get; }

    public Option<int> ConnectTimeout { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(Broker);
        command.Options.Add(Name);
        command.Options.Add(ConnectTimeout);
    }

    public MqClientOptions ClientOptions(ParseResult parse) => MqClientOptions.Default with
    {
        Endpoint = parse.GetValue(Broker)!,
        Name = parse.GetValue(Name)!,
        ConnectTimeout = TimeSpan.FromMilliseconds(parse.GetValue(ConnectTimeout)),
    };
}
