using Mq.Broker.Server;
using Mq.Broker.Transport;

namespace Mq.UnitTests.Transport;

public sealed class ListenEndpointTests
{
    [Theory]
    [InlineData("tcp://127.0.0.1:5555", "127.0.0.1", 5555, null)]
    [InlineData("tcp://0.0.0.0:*", "0.0.0.0", 0, null)]
    [InlineData("tcp://[::1]:0", "[::1]", 0, null)]
    [InlineData("unix:///run/mq/broker.sock", null, 0, "/run/mq/broker.sock")]
    [InlineData("pipe://mq-broker", null, 0, "CoreFxPipe_mq-broker")]
    public void Tcp_unix_and_pipe_endpoints_parse(string text, string? host, int port, string? path)
    {
        ListenEndpoint? endpoint = ListenEndpoint.Parse(text, out string? problem);
        Assert.Null(problem);

        // A pipe's file is in the temporary folder (docs/protocol.md section 1.2).
        string expected = path is not null && !path.StartsWith('/') ? Path.Combine(Path.GetTempPath(), path) : path!;
        Assert.Equal(new ListenEndpoint(text, host, port, path is null ? null : expected), endpoint);
    }

    [Theory]
    [InlineData("http://127.0.0.1:80", "unknown scheme 'http'")]
    [InlineData("ipc:///tmp/b.sock", "unknown scheme 'ipc'")]
    [InlineData("localhost:5555", "must look like tcp://127.0.0.1:5555 or unix:///run/mq/broker.sock")]
    [InlineData("tcp://127.0.0.1", "must look like tcp://127.0.0.1:5555")]
    [InlineData("tcp://127.0.0.1:70000", "'70000' is not a port")]
    [InlineData("unix://run/mq.sock", "the socket path must be absolute")]
    [InlineData("unix:///run/mq/", "the socket path must name a file")]
    public void A_bad_endpoint_is_one_line_saying_what_is_wrong(string text, string expected)
    {
        Assert.Null(ListenEndpoint.Parse(text, out string? problem));
        Assert.Contains(expected, problem);
    }

    [Fact]
    public void A_socket_path_longer_than_sun_path_holds_is_refused_at_start_and_107_bytes_pass()
    {
        string fits = "/" + new string('a', 106);
        Assert.NotNull(ListenEndpoint.Parse("unix://" + fits, out _));
        string problem = Assert.Single(new BrokerOptions { Endpoints = ["unix://" + fits + "a"] }.Validate());
        Assert.Contains("the socket path is 108 bytes; a Unix socket path may have at most 107 (sun_path)", problem);
    }

    [Theory]
    [InlineData("60")]
    [InlineData("0778")]
    [InlineData("1777")]
    [InlineData("rw")]
    public void A_socket_mode_that_is_no_octal_permission_is_refused(string mode) =>
        Assert.Contains("must be an octal file mode", Assert.Single(new BrokerOptions { UnixSocketMode = mode }.Validate()));

    [Fact]
    public void The_same_socket_path_twice_is_refused() =>
        Assert.Contains("is listed twice", Assert.Single(new BrokerOptions { Endpoint = "unix:///tmp/a.sock", Endpoints = ["unix:///tmp/a.sock"] }.Validate()));
}
