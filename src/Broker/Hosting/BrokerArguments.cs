using Mq.Broker.Server;
using Mq.Configuration;

namespace Mq.Broker.Hosting;

/// <summary>
/// The broker's command line beyond what System.CommandLine parses: any setting may be given as
/// <c>--Broker:Key=value</c> (or <c>--Broker:Key value</c>), so unmatched tokens go to the configuration, and a token
/// that is neither a known option nor a setting must be refused here, where the configuration would keep it silently.
/// </summary>
internal static class BrokerArguments
{
    public const string ConfigOption = "--config";

    public const string EndpointOption = "--endpoint";

    /// <summary>The environment variable naming a configuration file when <c>--config</c> is not given.</summary>
    public const string ConfigVariable = "MQ_CONFIG";

    /// <summary>The options that map to settings (<c>--config</c> names a file and maps to none).</summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [EndpointOption] = "Broker:Endpoint",
        ["--name"] = "Broker:Name",
        ["--monitor"] = "Broker:Monitoring:Address",
        ["--discovery"] = "Broker:Discovery:Address",
        [ConfigOption] = "BrokerProgram:ConfigFile",
    };

    // Serilog's own settings are too many and too open (sinks, enrichers) to check key by key.
    private static readonly string[] SettingPrefixes = [BrokerOptions.SectionName + ":", "Serilog:"];

    /// <summary>One line about the first token that is no option and no setting, or null.</summary>
    public static string? Problem(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string token = args[i];
            bool option = token.StartsWith('-') || token.StartsWith('/');
            int equals = token.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? token : token[..equals];
            if (!option && equals < 0)
            {
                return $"unexpected argument '{token}' (settings go as --Broker:Key=value)";
            }

            string key = name.TrimStart('-', '/');
            bool known = Switches.ContainsKey("--" + key) || SettingPrefixes.Any(p => key.StartsWith(p, StringComparison.OrdinalIgnoreCase));
            if (!known)
            {
                return Unknown(name);
            }

            if (option && equals < 0 && ++i == args.Count)
            {
                return $"option {name} has no value";
            }
        }

        return null;
    }

    /// <summary>
    /// <c>--endpoint</c> may be given more than once: the first sets <c>Broker:Endpoint</c>, each further one the next
    /// entry of <c>Broker:Endpoints</c> (from 0), which the configuration's switch mapping alone cannot express.
    /// </summary>
    public static string[] ExpandEndpoints(IReadOnlyList<string> args)
    {
        var expanded = new List<string>(args.Count);
        int seen = 0;
        for (int i = 0; i < args.Count; i++)
        {
            string token = args[i];
            string? value = null;
            if (string.Equals(token, EndpointOption, StringComparison.OrdinalIgnoreCase) && i + 1 < args.Count)
            {
                value = args[++i];
            }
            else if (token.StartsWith(EndpointOption + "=", StringComparison.OrdinalIgnoreCase))
            {
                value = token[(EndpointOption.Length + 1)..];
            }

            if (value is null)
            {
                expanded.Add(token);
            }
            else
            {
                expanded.Add(seen == 0 ? $"--{BrokerOptions.SectionName}:Endpoint={value}" : $"--{BrokerOptions.SectionName}:Endpoints:{seen - 1}={value}");
                seen++;
            }
        }

        return [.. expanded];
    }

    /// <summary>The file <c>--config</c> (or else <c>MQ_CONFIG</c>) names, or null.</summary>
    public static string? ConfigFile(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            if (string.Equals(args[i], ConfigOption, StringComparison.OrdinalIgnoreCase) && i + 1 < args.Count)
            {
                return args[i + 1];
            }

            if (args[i].StartsWith(ConfigOption + "=", StringComparison.OrdinalIgnoreCase))
            {
                return args[i][(ConfigOption.Length + 1)..];
            }
        }

        return Environment.GetEnvironmentVariable(ConfigVariable) is { Length: > 0 } file ? file : null;
    }

    private static string Unknown(string name)
    {
        IEnumerable<string> valid = Switches.Keys.Concat(SettingsCheck.Keys(typeof(BrokerOptions), "--" + BrokerOptions.SectionName + ":"));
        string? closest = SettingsCheck.Closest(name, valid);
        string hint = closest is null
            ? $"the options are {string.Join(", ", Switches.Keys)}, or any setting as --Broker:Key=value"
            : $"did you mean {closest}?";
        return $"unknown option {name} ({hint})";
    }
}
