using Mq.Client;
using Mq.Protocol;

namespace Mq.UnitTests.Protocol;

/// <summary>unix:// and pipe:// as the broker and the client both parse them, and the client options' checks of them.</summary>
public sealed class LocalEndpointTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_pipe_is_the_socket_file_dotnet_named_pipes_use_for_its_name()
    {
        Assert.Equal(Path.Combine(Path.GetTempPath(), "CoreFxPipe_mq-broker"), LocalEndpoint.SocketPath("pipe://mq-broker", out string? problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("pipe://", "a pipe name must be non-empty")]
    [InlineData("pipe://a/b", "free of '/'")]
    [InlineData("unix://relative.sock", "the socket path must be absolute")]
    [InlineData("unix:///run/mq/", "the socket path must name a file")]
    public void A_bad_local_endpoint_says_what_is_wrong(string endpoint, string expected)
    {
        Assert.Null(LocalEndpoint.SocketPath(endpoint, out string? problem));
        Assert.Contains(expected, problem);
    }

    [Fact]
    public void A_pipe_whose_socket_path_would_not_fit_sun_path_is_refused_naming_the_path()
    {
        Assert.Null(LocalEndpoint.SocketPath("pipe://" + new string('p', 120), out string? problem));
        Assert.Contains("the pipe's socket path", problem);
        Assert.Contains("at most 107 (sun_path)", problem);
    }

    [Fact]
    public void Other_schemes_are_not_local_and_have_no_problem_here()
    {
        Assert.False(LocalEndpoint.IsLocal("tcp://127.0.0.1:5555"));
        Assert.Null(LocalEndpoint.SocketPath("tcp://127.0.0.1:5555", out string? problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("unix:///run/mq/broker.sock")]
    [InlineData("pipe://mq")]
    [InlineData("tcp://127.0.0.1:5555")]
    public void Client_options_accept_tcp_unix_and_pipe_endpoints(string endpoint) =>
        (MqClientOptions.Default with { Endpoint = endpoint }).Validate();

    [Theory]
    [InlineData("unix://run/mq.sock", "the socket path must be absolute")]
    [InlineData("ipc:///tmp/a.sock", "must look like tcp://host:port (e.g. tcp://127.0.0.1:5555), unix:///absolute/path.sock or pipe://name")]
    public void Client_options_refuse_a_bad_endpoint_saying_why(string endpoint, string expected) =>
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => (MqClientOptions.Default with { Endpoint = endpoint }).Validate()).Message);

    [Fact]
    public void Client_options_refuse_a_pinned_broker_key_with_a_local_endpoint()
    {
        var options = MqClientOptions.Default with { Endpoint = "pipe://mq", BrokerPublicKey = new NetMQ.NetMQCertificate().PublicKeyZ85 };
        ArgumentException error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(nameof(MqClientOptions.BrokerPublicKey), error.ParamName);
        Assert.Contains("BrokerPublicKey cannot be used with pipe://mq", error.Message);
    }
}
