using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mq.Client;
using Mq.Errors;
using Mq.Hosting;
using Mq.IntegrationTests.Infrastructure;

namespace Mq.IntegrationTests.Rpc;

/// <summary>AddRemoteObject serves with a DI scope per call; AddRemoteProxy injects a proxy.</summary>
public sealed class HostedRemoteObjectTests : IAsyncLifetime
{
    private InProcessBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await InProcessBroker.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task A_hosted_object_runs_each_call_in_its_own_scope_and_an_injected_proxy_calls_it()
    {
        var log = new InventoryLog();
        using IHost server = BuildHost("inventory-server", log, mq => mq.AddRemoteObject<IInventory, Inventory>());
        using IHost caller = BuildHost("inventory-caller", log, mq => mq.AddRemoteProxy<IInventory>());
        await server.StartAsync();
        await caller.StartAsync();
        IInventory inventory = caller.Services.GetRequiredService<IInventory>();

        await inventory.AddAsync("sku-1", 2, CancellationToken.None);
        await inventory.AddAsync("sku-1", 3, CancellationToken.None);
        int count = await inventory.CountAsync("sku-1");

        Assert.Equal(5, count);
        Assert.Same(inventory, caller.Services.GetRequiredService<IInventory>());
        Assert.Equal(3, log.Created);
        Assert.Equal(3, log.Disposed); // each scope ended with its call

        await server.StopAsync();
        await Assert.ThrowsAsync<NoRespondersException>(async () => await inventory.CountAsync("sku-1"));
        await caller.StopAsync();
    }

    private IHost BuildHost(string name, InventoryLog log, Action<MqBuilder> add)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new("Mq:Endpoint", _broker.Endpoint), new("Mq:Name", name)]);
        builder.Services.AddSingleton(log);
        add(builder.Services.AddMq(builder.Configuration.GetSection("Mq")));
        return builder.Build();
    }
}
