using System.Net;
using System.Text.Json;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;

namespace Mq.IntegrationTests.Monitoring;

/// <summary>The broker executable's HTTP monitoring endpoint (--monitor), as an operator and a scraper use it.</summary>
public sealed class MonitoringEndpointTests(MonitoredBrokerFixture broker) : IClassFixture<MonitoredBrokerFixture>
{
    [Fact]
    public async Task Healthz_says_live_and_ready_with_reasons()
    {
        using HttpResponseMessage both = await broker.Http.GetAsync("healthz");
        using JsonDocument health = JsonDocument.Parse(await both.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, both.StatusCode);
        Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
        Assert.True(health.RootElement.GetProperty("live").GetProperty("ok").GetBoolean());
        Assert.Contains("broker thread answered", health.RootElement.GetProperty("live").GetProperty("reason").GetString());
        Assert.Equal($"accepting peers on {broker.Endpoint}", health.RootElement.GetProperty("ready").GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.OK, (await broker.Http.GetAsync("healthz/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await broker.Http.GetAsync("healthz/ready")).StatusCode);
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_with_types_and_a_published_counter_that_rises()
    {
        await using MqClient subscriber = await MqClient.ConnectAsync(broker.Endpoint, "metrics-subscriber");
        await using MqClient publisher = await MqClient.ConnectAsync(broker.Endpoint, "metrics-publisher");
        await using MqSubscription subscription = await subscriber.SubscribeAsync("metrics.test");
        PrometheusText before = await ScrapeAsync();

        Assert.Equal("counter", before.Types["mq_broker_messages_published_total"]);
        Assert.Equal("counter", before.Types["mq_broker_messages_dropped_total"]);
        Assert.Equal("counter", before.Types["mq_broker_commands_refused_total"]);
        Assert.Equal("gauge", before.Types["mq_broker_peers"]);
        Assert.Equal("gauge", before.Types["mq_broker_queued_bytes"]);
        Assert.Equal("gauge", before.Types["mq_broker_subscriptions_cost_bytes"]);
        Assert.All(before.Types.Keys.Where(k => k != "target_info"), name => Assert.StartsWith("mq_broker_", name));

        for (int i = 0; i < 25; i++)
        {
            await publisher.PublishAsync("metrics.test", i);
        }

        await subscription.TakeAsync(25);
        double published = before.Samples["mq_broker_messages_published_total"];
        await Waits.UntilAsync(
            async () => (await ScrapeAsync()).Samples["mq_broker_messages_published_total"] >= published + 25,
            "mq_broker_messages_published_total rising by 25");
        PrometheusText after = await ScrapeAsync();
        Assert.True(after.Samples["mq_broker_messages_delivered_total"] >= before.Samples["mq_broker_messages_delivered_total"] + 25);
        Assert.True(after.Samples["mq_broker_peers"] >= 2);
    }

    [Fact]
    public async Task Request_durations_are_a_histogram_by_outcome_without_a_label_per_service()
    {
        await using MqClient peer = await MqClient.ConnectAsync(broker.Endpoint, "metrics-requests");
        await using MqService service = await peer.ServeAsync("metrics.echo", (request, _) => ValueTask.FromResult(request.Data));
        for (int i = 0; i < 5; i++)
        {
            await peer.RequestAsync("metrics.echo", new byte[] { 1 });
        }

        static double Replied(PrometheusText text) => text.Series
            .Where(s => s.Key.StartsWith("mq_broker_request_duration_seconds_count{", StringComparison.Ordinal) && s.Key.Contains("outcome=\"replied\"", StringComparison.Ordinal))
            .Sum(s => s.Value);
        await Waits.UntilAsync(
            async () => Replied(await ScrapeAsync()) >= 5,
            "five replied requests in mq_broker_request_duration_seconds");
        PrometheusText text = await ScrapeAsync();

        Assert.Equal("histogram", text.Types["mq_broker_request_duration_seconds"]);
        Assert.Contains(text.Series.Keys, k => k.StartsWith("mq_broker_request_duration_seconds_bucket{", StringComparison.Ordinal) && k.Contains("le=\"0.001\"", StringComparison.Ordinal));
        Assert.DoesNotContain(text.Series.Keys, k => k.Contains("service=", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("info")]
    [InlineData("stats")]
    [InlineData("peers")]
    [InlineData("subs")]
    [InlineData("services")]
    public async Task Each_json_endpoint_has_the_keys_of_its_system_service(string name)
    {
        await using MqClient peer = await MqClient.ConnectAsync(broker.Endpoint, "json-" + name);
        await using MqSubscription subscription = await peer.SubscribeAsync("json.mirror");
        await using MqService service = await peer.ServeAsync("json.echo", (request, _) => ValueTask.FromResult(request.Data));
        MqReply viaProtocol = await peer.RequestAsync("$SYS." + name, ReadOnlyMemory<byte>.Empty);

        using HttpResponseMessage response = await broker.Http.GetAsync("api/" + name);
        using JsonDocument viaHttp = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        using JsonDocument expected = JsonDocument.Parse(viaProtocol.ToJson());

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Keys(expected.RootElement), Keys(viaHttp.RootElement));
    }

    [Fact]
    public async Task The_json_endpoints_show_the_peers_their_subscriptions_and_services()
    {
        await using MqClient peer = await MqClient.ConnectAsync(broker.Endpoint, "json-visible");
        await using MqSubscription subscription = await peer.SubscribeAsync("json.visible.>", "workers");
        await using MqService service = await peer.ServeAsync("json.visible.echo", (request, _) => ValueTask.FromResult(request.Data));

        using JsonDocument info = await JsonAsync("api/info");
        using JsonDocument peers = await JsonAsync("api/peers");
        using JsonDocument subs = await JsonAsync("api/subs");
        using JsonDocument services = await JsonAsync("api/services");

        Assert.Contains(broker.Endpoint, info.RootElement.GetProperty("endpoints").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(peers.RootElement.GetProperty("peers").EnumerateArray(), p => p.GetProperty("name").GetString() == "json-visible");
        Assert.Contains(subs.RootElement.GetProperty("subs").EnumerateArray(), s => s.GetProperty("pattern").GetString() == "json.visible.>" && s.GetProperty("queue_group").GetString() == "workers" && s.GetProperty("peer").GetString() == "json-visible");
        Assert.Contains(services.RootElement.GetProperty("services").EnumerateArray(), s => s.GetProperty("name").GetString() == "json.visible.echo" && s.GetProperty("servers").GetInt32() == 1);
    }

    [Fact]
    public async Task The_dashboard_is_served_from_the_package_with_a_policy_that_forbids_anything_from_outside()
    {
        foreach (string path in new[] { "", "dashboard.js", "dashboard.css" })
        {
            using HttpResponseMessage response = await broker.Http.GetAsync(path);
            string content = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.DoesNotContain("http:", content);
            Assert.DoesNotContain("https:", content);
            Assert.DoesNotContain("//cdn", content);
        }
    }

    [Fact]
    public async Task The_live_stream_sends_server_sent_events_with_the_stats()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/live");
        using HttpResponseMessage response = await broker.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(Waits.Default);

        string? line = await reader.ReadLineAsync(timeout.Token);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(line);
        Assert.StartsWith("data: ", line);
        using JsonDocument data = JsonDocument.Parse(line["data: ".Length..]);
        Assert.True(data.RootElement.GetProperty("stats").TryGetProperty("messages_published", out _));
        Assert.True(data.RootElement.GetProperty("peers").TryGetProperty("peers", out _));
    }

    [Fact]
    public async Task A_request_naming_another_host_is_refused_so_a_rebinding_page_cannot_read_it()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/peers");
        request.Headers.Host = "attacker.example";

        using HttpResponseMessage response = await broker.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("loopback only", await response.Content.ReadAsStringAsync());
        await broker.Process.WaitForLineAsync("Monitoring endpoint refused a request for host 'attacker.example'", Waits.Default);
    }

    private static string[] Keys(JsonElement map) => map.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    private async Task<JsonDocument> JsonAsync(string path) => JsonDocument.Parse(await broker.Http.GetStringAsync(path));

    private async Task<PrometheusText> ScrapeAsync() => PrometheusText.Parse(await broker.Http.GetStringAsync("metrics"));
}
