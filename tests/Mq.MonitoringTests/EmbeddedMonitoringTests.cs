using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mq.Broker.Hosting;
using Mq.Broker.Monitoring;
using Mq.Broker.Monitoring.Hosting;
using Mq.Broker.Server;

namespace Mq.MonitoringTests;

/// <summary>The monitoring endpoint as an embedder adds it: to a BrokerServer of its own, or to a host with AddMqBroker.</summary>
public sealed class EmbeddedMonitoringTests
{
    [Fact]
    public async Task Healthz_turns_503_with_its_reason_once_the_broker_stops()
    {
        await using var broker = new BrokerServer(new BrokerOptions { Endpoint = "tcp://127.0.0.1:0" });
        broker.Start();
        await using BrokerMonitor monitor = await BrokerMonitor.StartAsync(broker, new BrokerMonitoringOptions { Address = "127.0.0.1:0" });
        using var http = new HttpClient { BaseAddress = monitor.Address, Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("healthz")).StatusCode);

        await broker.StopAsync();
        using HttpResponseMessage stopped = await http.GetAsync("healthz");
        using JsonDocument health = JsonDocument.Parse(await stopped.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, stopped.StatusCode);
        Assert.Equal("unavailable", health.RootElement.GetProperty("status").GetString());
        Assert.Contains("not running", health.RootElement.GetProperty("live").GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("healthz/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("api/stats")).StatusCode);
    }

    [Fact]
    public async Task A_host_serves_it_from_the_broker_settings_and_stops_it_with_the_host()
    {
        using IHost host = Host(("Broker:Endpoint", "tcp://127.0.0.1:0"), ("Broker:Monitoring:Address", "127.0.0.1:0"));
        await host.StartAsync();
        Uri address = host.Services.GetRequiredService<BrokerMonitoringHostedService>().Address!;
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        using JsonDocument info = JsonDocument.Parse(await http.GetStringAsync("api/info"));

        Assert.Equal("embedded", info.RootElement.GetProperty("name").GetString());

        await host.StopAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("healthz"));
    }

    [Fact]
    public async Task Without_an_address_the_host_serves_nothing()
    {
        using IHost host = Host(("Broker:Endpoint", "tcp://127.0.0.1:0"));
        await host.StartAsync();

        Assert.Null(host.Services.GetRequiredService<BrokerMonitoringHostedService>().Address);

        await host.StopAsync();
    }

    [Fact]
    public async Task Options_that_are_off_or_not_loopback_are_refused_by_the_embedding_call()
    {
        await using var broker = new BrokerServer(new BrokerOptions { Endpoint = "tcp://127.0.0.1:0" });

        ArgumentException off = await Assert.ThrowsAsync<ArgumentException>(() => BrokerMonitor.StartAsync(broker, new BrokerMonitoringOptions()));
        ArgumentException remote = await Assert.ThrowsAsync<ArgumentException>(() => BrokerMonitor.StartAsync(broker, new BrokerMonitoringOptions { Address = "10.1.2.3:8222" }));

        Assert.Contains("Broker:Monitoring:Address is not set", off.Message);
        Assert.Contains("AllowRemote", remote.Message);
    }

    private static IHost Host(params (string Key, string Value)[] settings)
    {
        HostApplicationBuilder builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new("Broker:Name", "embedded"), .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))]);
        builder.Services.AddMqBroker(builder.Configuration);
        builder.Services.AddMqBrokerMonitoring();
        return builder.Build();
    }
}
