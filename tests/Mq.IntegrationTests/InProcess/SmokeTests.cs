using Mq.Client;
using Mq.IntegrationTests.Infrastructure;

namespace Mq.IntegrationTests.InProcess;

public sealed class SmokeTests
{
    [Theory]
    [InlineData("tcp://127.0.0.1:99999")]
    [InlineData("tcp://127.0.0.1")]
    [InlineData("udp://127.0.0.1:5555")]
    public async Task A_malformed_endpoint_is_an_argument_error(string endpoint) =>
        await Assert.ThrowsAsync<ArgumentException>(async () => await MqClient.ConnectAsync(endpoint, "x"));

    [Fact]
    public async Task An_unknown_host_is_a_not_connected_error()
    {
        var options = MqClientOptions.Default with { Endpoint = "tcp://nonexistent.invalid:5555", Name = "x", ConnectTimeout = TimeSpan.FromSeconds(2) };
        await Assert.ThrowsAsync<Mq.Errors.NotConnectedException>(async () => await MqClient.ConnectAsync(options));
    }

    [Fact]
    public async Task A_refused_connection_fails_at_once_not_after_the_connect_timeout()
    {
        string endpoint;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            endpoint = $"tcp://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}";
        }

        var options = MqClientOptions.Default with { Endpoint = endpoint, Name = "x", ConnectTimeout = TimeSpan.FromMinutes(1) };
        var error = await Assert.ThrowsAsync<Mq.Errors.NotConnectedException>(async () => await MqClient.ConnectAsync(options).AsTask().WaitAsync(Waits.Default));
        Assert.Equal($"cannot reach the Mq broker at {endpoint}: connection refused (nothing is listening there)", error.Message);
    }

    [Fact]
    public async Task Publish_reaches_subscriber_and_request_gets_reply()
    {
        await using var broker = await InProcessBroker.StartAsync();
        var a = await broker.ConnectAsync("a");
        var b = await broker.ConnectAsync("b");
        await using var sub = await a.SubscribeAsync("orders.>");
        await using var svc = await a.ServeAsync<string, string>("echo", (s, ct) => ValueTask.FromResult("echo:" + s));

        await b.PublishAsync("orders.eu.created", "hello");
        var enumerator = sub.GetAsyncEnumerator();
        Assert.True(await enumerator.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("orders.eu.created", enumerator.Current.Subject);
        Assert.Equal("hello", enumerator.Current.Deserialize<string>());

        string reply = await b.RequestAsync<string, string>("echo", "x");
        Assert.Equal("echo:x", reply);
    }
}
