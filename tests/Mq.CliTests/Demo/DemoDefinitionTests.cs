using System.Text.Json;
using System.Text.RegularExpressions;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests.Demo;

/// <summary>scripts/demo.sh and docker-compose.yml describe the same services with the same commands and options.</summary>
public sealed partial class DemoDefinitionTests
{
    private const string Endpoint = "<endpoint>";
    private const string UnixEndpoint = "<unix endpoint>";

    [Fact]
    public void The_demo_script_and_the_compose_file_run_the_same_services_the_same_way()
    {
        Dictionary<string, string[]> script = ScriptServices();
        Dictionary<string, string[]> compose = ComposeServices();

        Assert.Equal(compose.Keys.Order(), script.Keys.Order());
        Assert.Equal(5, script.Count);
        foreach ((string service, string[] command) in compose)
        {
            Assert.Equal(command, script[service]);
        }
    }

    /// <summary>Each <c>start NAME Project ARGS...</c> line of the script, as [target, args...].</summary>
    private static Dictionary<string, string[]> ScriptServices()
    {
        var services = new Dictionary<string, string[]>();
        foreach (string line in File.ReadLines(Path.Combine(RepositoryRoot.Path, "scripts", "demo.sh")))
        {
            if (!line.StartsWith("start ", StringComparison.Ordinal))
            {
                continue;
            }

            string[] words = ShellWords().Matches(line).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Value).ToArray();
            services[words[1]] = [words[2].ToLowerInvariant(), .. words[3..].Select(w => w switch { "$broker" => Endpoint, "$unix" => UnixEndpoint, _ => w })];
        }

        return services;
    }

    /// <summary>Each service of the compose file, as [build target, command...].</summary>
    private static Dictionary<string, string[]> ComposeServices()
    {
        var services = new Dictionary<string, string[]>();
        string? service = null;
        string? target = null;
        foreach (string line in File.ReadLines(Path.Combine(RepositoryRoot.Path, "docker-compose.yml")))
        {
            if (ServiceLine().Match(line) is { Success: true } start)
            {
                service = start.Groups[1].Value;
            }
            else if (TargetLine().Match(line) is { Success: true } build)
            {
                target = build.Groups[1].Value;
            }
            else if (CommandLine().Match(line) is { Success: true } command && service is not null && target is not null)
            {
                string[] words = JsonSerializer.Deserialize<string[]>(command.Groups[1].Value)!;
                services[service] = [target, .. words.Select(w => w switch
                {
                    "tcp://broker:5555" or "tcp://0.0.0.0:5555" => Endpoint,
                    "unix:///run/mq/broker.sock" => UnixEndpoint,
                    _ => w,
                })];
            }
        }

        return services;
    }

    [GeneratedRegex("""'([^']*)'|"([^"]*)"|\S+""")]
    private static partial Regex ShellWords();

    [GeneratedRegex(@"^  ([a-z][\w-]*):\s*$")]
    private static partial Regex ServiceLine();

    [GeneratedRegex(@"^\s+build: \{ context: \., target: (\w+) \}")]
    private static partial Regex TargetLine();

    [GeneratedRegex(@"^\s+command: (\[.*\])\s*$")]
    private static partial Regex CommandLine();
}
