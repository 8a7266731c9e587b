using Mq.Client;
using Mq.Errors;
using Mq.Rpc;

namespace Mq.IntegrationTests.Rpc;

/// <summary>Scatter-gather on a contract: one method called on every server of it, each answer typed.</summary>
public sealed class ObjectGatherTests : RpcTestBase
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_call_reaches_every_server_and_each_result_comes_back_typed_with_its_server()
    {
        await using MqClient second = await Broker.ConnectAsync("server-2");
        var first = new InventoryLog();
        first.Stock["sku"] = 3;
        var other = new InventoryLog();
        other.Stock["sku"] = 5;
        await using MqObjectService a = await Server.ServeObjectAsync<IInventory>(new Inventory(first));
        await using MqObjectService b = await second.ServeObjectAsync<IInventory>(new Inventory(other));

        List<MqGathered<int>> counts = await Caller.GatherAsync<IInventory, int>(i => i.CountAsync("sku")).ToListAsync().AsTask().WaitAsync(Bound);
        List<MqGathered<StockLine>> lines = await Caller.GatherAsync<IInventory, StockLine>(i => i.LineAsync("sku", 4)).ToListAsync().AsTask().WaitAsync(Bound);

        Assert.Equal(
            new[] { $"{Server.PeerId} 3", $"{second.PeerId} 5" }.Order(StringComparer.Ordinal),
            counts.Select(c => $"{c.Responder} {c.Value}").Order(StringComparer.Ordinal));
        Assert.Equal([new StockLine("sku", 4, 3), new StockLine("sku", 4, 5)], lines.Select(l => l.Value).OrderBy(l => l.Quantity));
        Assert.All(counts, c => Assert.Null(c.Failure));
    }

    [Fact]
    public async Task Failed_servers_are_left_out_unless_asked_for_and_then_carry_the_error_a_proxy_call_throws()
    {
        await using MqObjectService served = await Server.ServeObjectAsync<IInventory>(new Inventory(new InventoryLog()));

        Assert.Empty(await Caller.GatherAsync<IInventory, int>(i => i.BreakAsync("x")).ToListAsync().AsTask().WaitAsync(Bound));
        MqGathered<int> failed = Assert.Single(await Caller.GatherAsync<IInventory, int>(i => i.BreakAsync("x"), new RequestManyOptions { IncludeFailures = true }).ToListAsync().AsTask().WaitAsync(Bound));

        RemoteErrorException error = Assert.IsType<RemoteErrorException>(failed.Failure);
        Assert.Contains("no such sku x", error.Message);
        Assert.Same(error, Assert.Throws<RemoteErrorException>(() => failed.Value));
        Assert.Equal(Server.PeerId, failed.Responder);
    }

    [Fact]
    public async Task A_declared_fault_comes_typed_and_a_method_reporting_progress_is_refused()
    {
        await using MqObjectService served = await Server.ServeObjectAsync<IWarehouse>(new Warehouse());

        MqGathered<int> taken = Assert.Single(await Caller.GatherAsync<IWarehouse, int>(w => w.TakeAsync("bolt", 5), new RequestManyOptions { IncludeFailures = true }).ToListAsync().AsTask().WaitAsync(Bound));

        Assert.Equal(new OutOfStock("bolt", 2), Assert.IsType<MqFaultException<OutOfStock>>(taken.Failure).Detail);
        Assert.Throws<NotSupportedException>(() => Caller.GatherAsync<IWarehouse, int>(w => w.BuildAsync(3, new Progress<int>(), CancellationToken.None)));
    }

    [Fact]
    public async Task Nobody_serving_the_method_is_no_responders_naming_it()
    {
        NoRespondersException error = await Assert.ThrowsAsync<NoRespondersException>(async () =>
            await Caller.GatherAsync<IInventory, int>(i => i.CountAsync("sku")).ToListAsync().AsTask().WaitAsync(Bound));

        Assert.Contains("test.inventory.Count", error.Message);
    }

    [Fact]
    public async Task A_call_that_calls_no_method_or_two_is_refused_before_anything_is_sent()
    {
        Assert.Throws<ArgumentException>(() => Caller.GatherAsync<IInventory, int>(_ => ValueTask.FromResult(1)));
        Assert.Throws<InvalidOperationException>(() => Caller.GatherAsync<IInventory, int>(i =>
        {
            _ = i.LineAsync("a");
            return i.CountAsync("b");
        }));
        Assert.Equal(0, (await Broker.Server!.GetStatsAsync()).RequestsRouted);
    }
}
