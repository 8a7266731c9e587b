using Mq.Broker.Hosting;
using Mq.Broker.Server;
using Mq.Configuration;
using Mq.Hosting;

namespace Mq.UnitTests.Configuration;

public sealed class SettingsCheckTests
{
    [Theory]
    [InlineData("MaxPayloadByte", "10", "unknown setting Broker:MaxPayloadByte (did you mean Broker:MaxPayloadBytes?)")]
    [InlineData("maxpayloadbytes", "abc", "setting Broker:maxpayloadbytes: 'abc' is not a whole number (up to 2147483647)")]
    [InlineData("PeerTimeout", "abc", "setting Broker:PeerTimeout: 'abc' is not a time span such as 00:00:05 (hh:mm:ss)")]
    [InlineData("Curve:SecretKeyFil", "/k", "unknown setting Broker:Curve:SecretKeyFil (did you mean Broker:Curve:SecretKeyFile?)")]
    [InlineData("Curve", "on", "setting Broker:Curve is a section, not a value: set its keys (Broker:Curve:SecretKeyFile, Broker:Curve:SecretKey)")]
    [InlineData("PeerTimeout:Seconds", "3", "unknown setting Broker:PeerTimeout:Seconds")]
    [InlineData("Totally", "1", "unknown setting Broker:Totally")]
    [InlineData("Endpoints", "unix:///run/mq.sock", "setting Broker:Endpoints is a list: set its entries as Broker:Endpoints:0, Broker:Endpoints:1, ...")]
    [InlineData("Endpoints:0:Path", "/run/mq.sock", "unknown setting Broker:Endpoints:0:Path")]
    [InlineData("Streams:orders:MaxMessage", "10", "unknown setting Broker:Streams:orders:MaxMessage (did you mean Broker:Streams:orders:MaxMessages?)")]
    [InlineData("Streams:orders:MaxAge", "soon", "setting Broker:Streams:orders:MaxAge: 'soon' is not a time span such as 00:00:05 (hh:mm:ss)")]
    [InlineData("Streams:orders:Storage", "disk", "setting Broker:Streams:orders:Storage: 'disk' is not one of File, Memory")]
    public void Each_bad_key_is_one_problem_naming_it(string key, string value, string problem) =>
        Assert.Equal([problem], SettingsCheck.Problems(typeof(BrokerOptions), "Broker", [new(key, value)]));

    [Fact]
    public void Valid_keys_any_case_sections_and_empty_values_pass()
    {
        KeyValuePair<string, string?>[] settings =
        [
            new("PeerTimeout", "00:00:07"), new("maxconnections", "12"), new("Curve", null), new("Curve:SecretKeyFile", "/k"),
            new("Name", "b"), new("HandshakeTimeout", ""), new("Endpoints", ""), new("Endpoints:0", "unix:///run/mq.sock"), new("endpoints:1", "tcp://[::1]:0"),
            new("StoreDirectory", "/var/lib/mq"), new("Streams:orders:Subjects:0", "orders.>"), new("Streams:orders:FsyncEveryMs", "20"),
            new("streams:audit:maxage", "1.00:00:00"), new("Streams:audit:Discard", "New"),
        ];

        Assert.Empty(SettingsCheck.Problems(typeof(BrokerOptions), "Broker", settings));
    }

    [Fact]
    public void Read_only_properties_are_not_settings() =>
        Assert.Equal(["unknown setting Broker:Curve:Enabled"], SettingsCheck.Problems(typeof(BrokerOptions), "Broker", [new("Curve:Enabled", "true")]));

    [Theory]
    [InlineData("Endpont", "unknown setting Mq:Endpont (did you mean Mq:Endpoint?)")]
    [InlineData("RetryInitialConect", "unknown setting Mq:RetryInitialConect (did you mean Mq:RetryInitialConnect?)")]
    public void The_hosted_peers_section_is_checked_the_same_way(string key, string problem) =>
        Assert.Equal([problem], SettingsCheck.Problems(typeof(MqOptions), "Mq", [new(key, "x")]));

    [Theory]
    [InlineData(new[] { "--port", "5601" }, "unknown option --port (the options are --endpoint, --name, --monitor, --discovery, --config, or any setting as --Broker:Key=value)")]
    [InlineData(new[] { "--endpiont", "tcp://127.0.0.1:1" }, "unknown option --endpiont (did you mean --endpoint?)")]
    [InlineData(new[] { "--Broker:PeerTimeout" }, "option --Broker:PeerTimeout has no value")]
    [InlineData(new[] { "orders" }, "unexpected argument 'orders' (settings go as --Broker:Key=value)")]
    [InlineData(new[] { "-p", "1" }, "unknown option -p (the options are --endpoint, --name, --monitor, --discovery, --config, or any setting as --Broker:Key=value)")]
    public void Broker_arguments_that_are_no_option_and_no_setting_are_refused(string[] args, string problem) =>
        Assert.Equal(problem, BrokerArguments.Problem(args));

    [Theory]
    [InlineData("--endpoint", "tcp://127.0.0.1:0", "--Broker:PeerTimeout=00:00:05", "--Broker:Name", "b", "--Serilog:MinimumLevel:Default=Debug")]
    [InlineData("--config=/etc/mq/broker.json", "/Broker:Name=b", "Broker:MaxConnections=5")]
    public void Options_and_settings_in_every_form_the_configuration_reads_pass(params string[] args) =>
        Assert.Null(BrokerArguments.Problem(args));

    [Fact]
    public void A_repeated_endpoint_sets_endpoint_then_the_endpoints_list_and_leaves_the_rest_alone() =>
        Assert.Equal(
            ["--Broker:Endpoint=tcp://0.0.0.0:5555", "--name", "b", "--Broker:Endpoints:0=unix:///run/mq.sock", "--Broker:Endpoints:1=tcp://[::1]:0"],
            BrokerArguments.ExpandEndpoints(["--endpoint", "tcp://0.0.0.0:5555", "--name", "b", "--endpoint=unix:///run/mq.sock", "--ENDPOINT", "tcp://[::1]:0"]));
}
