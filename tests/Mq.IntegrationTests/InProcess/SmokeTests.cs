using Mq.IntegrationTests.Infrastructure;

namespace Mq.IntegrationTests.InProcess;

public sealed class SmokeTests
{
    [Fact]
    public async Task Publish_reaches_subscriber_and_request_gets_reply()
    {
        await using var broker = new InProcessBroker();
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
