using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests;

/// <summary>The broker executable's first run: where it reads its configuration, and one line for each thing wrong with it.</summary>
public sealed class BrokerConfigurationCliTests
{
    [Theory]
    [InlineData(3, "Mq broker configuration is invalid: unknown setting Broker:MaxPayloadByte (did you mean Broker:MaxPayloadBytes?)", "--Broker:MaxPayloadByte=10")]
    [InlineData(3, "Mq broker configuration is invalid: unknown setting Broker:Curve:SecretKeyFil (did you mean Broker:Curve:SecretKeyFile?)", "--Broker:Curve:SecretKeyFil", "/etc/mq/broker.key")]
    [InlineData(3, "Mq broker configuration is invalid: setting Broker:PeerTimeout: 'abc' is not a time span such as 00:00:05 (hh:mm:ss)", "--Broker:PeerTimeout=abc")]
    [InlineData(3, "Mq broker configuration is invalid: setting Broker:MaxConnections: 'many' is not a whole number (up to 2147483647)", "--Broker:MaxConnections=many")]
    [InlineData(3, "Mq broker configuration is invalid: setting Serilog:MinimumLevel:Default: 'Loud' is not a log level (Verbose, Debug, Information, Warning, Error, Fatal)", "--Serilog:MinimumLevel:Default=Loud")]
    [InlineData(3, "Mq broker configuration is invalid: unknown setting Broker:Streams:orders:Subjectz:0 (did you mean Broker:Streams:orders:Subjects?)", "--Broker:Streams:orders:Subjectz:0=orders.>")]
    [InlineData(3, "Mq broker configuration is invalid: setting Broker:Streams:orders:Discard: 'oldest' is not one of Old, New", "--Broker:Streams:orders:Subjects:0=orders.>", "--Broker:Streams:orders:Discard=oldest")]
    [InlineData(3, "Mq broker configuration is invalid: Broker:Streams:orders keeps its messages in files: set Broker:StoreDirectory (or Storage = Memory)", "--Broker:Streams:orders:Subjects:0=orders.>")]
    [InlineData(1, "Mq broker: unknown option --port (the options are --endpoint, --name, --monitor, --discovery, --config, or any setting as --Broker:Key=value)", "--port", "5601")]
    [InlineData(1, "Mq broker: unknown option --endpiont (did you mean --endpoint?)", "--endpiont", "tcp://127.0.0.1:0")]
    [InlineData(1, "Mq broker: unexpected argument 'serve' (settings go as --Broker:Key=value)", "serve")]
    [InlineData(1, "Mq broker: option --Broker:PeerTimeout has no value", "--Broker:PeerTimeout")]
    [InlineData(1, "Mq broker: Required argument missing for option: '--name'. (see --help)", "--name")]
    public async Task A_bad_setting_or_option_is_one_line_on_stderr_and_its_exit_code(int exitCode, string line, params string[] arguments)
    {
        await using PeerProcess broker = PeerProcess.Start("Mq.Broker", ["--endpoint", "tcp://127.0.0.1:0", .. arguments]);

        Assert.Equal(exitCode, await broker.WaitForExitAsync(Cli.Timeout));
        Assert.EndsWith(line, broker.StandardError.Single(), StringComparison.Ordinal);
        Assert.Empty(broker.StandardOutput);
    }

    [Fact]
    public async Task A_value_from_the_environment_that_does_not_parse_is_one_line_naming_the_key()
    {
        await using PeerProcess broker = PeerProcess.Start("Mq.Broker", ["--endpoint", "tcp://127.0.0.1:0"], new Dictionary<string, string> { ["MQ_Broker__PeerTimeout"] = "xyz" });

        Assert.Equal(3, await broker.WaitForExitAsync(Cli.Timeout));
        Assert.EndsWith("setting Broker:PeerTimeout: 'xyz' is not a time span such as 00:00:05 (hh:mm:ss)", broker.StandardError.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Started_from_another_directory_it_reads_the_appsettings_next_to_it_and_not_the_working_directorys()
    {
        using var elsewhere = new TempDirectory();
        File.WriteAllText(Path.Combine(elsewhere.Path, "appsettings.json"), """{ "Broker": { "MaxPayloadBytes": 1 } }""");

        await using PeerProcess broker = PeerProcess.Start("Mq.Broker", ["--endpoint", "tcp://127.0.0.1:0"], workingDirectory: elsewhere.Path);
        await broker.WaitForLineAsync("ready on tcp://127.0.0.1:", BrokerProcess.StartTimeout);

        // Its own appsettings.json keeps Microsoft.* at Warning: without it the host's "Application started" would show.
        Assert.DoesNotContain("Application started", broker.Output);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_config_file_named_by_option_or_environment_is_read_after_appsettings(bool byOption)
    {
        using var directory = new TempDirectory();
        string file = Path.Combine(directory.Path, "broker.json");
        File.WriteAllText(file, """{ "Broker": { "MaxPayloadBytes": 1 } }""");
        string[] arguments = byOption ? ["--endpoint", "tcp://127.0.0.1:0", "--config", file] : ["--endpoint", "tcp://127.0.0.1:0"];
        var environment = byOption ? null : new Dictionary<string, string> { ["MQ_CONFIG"] = file };

        await using PeerProcess broker = PeerProcess.Start("Mq.Broker", arguments, environment);

        Assert.Equal(3, await broker.WaitForExitAsync(Cli.Timeout));
        Assert.Contains("MaxPayloadBytes", broker.StandardError.Single());
    }

    [Fact]
    public async Task The_command_line_overrides_the_config_file()
    {
        using var directory = new TempDirectory();
        string file = Path.Combine(directory.Path, "broker.json");
        File.WriteAllText(file, """{ "Broker": { "MaxPayloadBytes": 1 } }""");

        await using PeerProcess broker = PeerProcess.Start("Mq.Broker", ["--endpoint", "tcp://127.0.0.1:0", "--config", file, "--Broker:MaxPayloadBytes=4096"]);

        await broker.WaitForLineAsync("ready on tcp://127.0.0.1:", BrokerProcess.StartTimeout);
    }

    [Fact]
    public async Task A_missing_config_file_is_one_line_naming_it()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"mq-missing-{Guid.NewGuid():N}.json");
        await using PeerProcess broker = PeerProcess.Start("Mq.Broker", ["--endpoint", "tcp://127.0.0.1:0", "--config", missing]);

        Assert.Equal(3, await broker.WaitForExitAsync(Cli.Timeout));
        Assert.EndsWith($"the configuration file {missing} does not exist", broker.StandardError.Single(), StringComparison.Ordinal);
    }

    /// <summary>A directory of its own, deleted afterwards.</summary>
    private sealed class TempDirectory : IDisposable
    {
        public TempDirectory() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mq-cli-{Guid.NewGuid():N}");

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
