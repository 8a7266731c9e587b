using MessagePack;
using Mq.Client;
using Mq.Errors;
using Mq.Rpc;
using Mq.Serialization;

namespace Mq.IntegrationTests.Rpc;

/// <summary>Remote objects in one process: a generated proxy calling a generated dispatcher through the broker.</summary>
public sealed class RemoteObjectTests : RpcTestBase
{
    [Fact]
    public async Task Every_kind_of_method_returns_through_the_proxy_what_the_served_object_did()
    {
        var log = new InventoryLog();
        await using MqObjectService served = await Server.ServeObjectAsync<IInventory>(new Inventory(log));
        IInventory inventory = Caller.CreateProxy<IInventory>();

        await inventory.AddAsync("sku-1", 3, CancellationToken.None);
        await inventory.AddAsync("sku-1", 4, CancellationToken.None);

        Assert.Equal(7, await inventory.CountAsync("sku-1"));
        Assert.Equal(new StockLine("sku-1", 2, 7), await inventory.LineAsync("sku-1", 2));
        await inventory.ClearAsync();
        Assert.Equal(0, await inventory.CountAsync("sku-1"));
        Assert.Equal(2, served.Services.Single(s => s.Name == "test.inventory.Add").Handled);
        Assert.Equal(1, served.Services.Single(s => s.Name == "test.inventory.Clear").Handled);
    }

    [Fact]
    public async Task Each_method_is_the_service_contract_dot_method_without_Async_and_takes_an_array_of_its_arguments()
    {
        var log = new InventoryLog();
        log.Stock["sku-2"] = 5;
        await using MqObjectService served = await Server.ServeObjectAsync<IInventory>(new Inventory(log));

        Assert.Equal(
            ["test.inventory.Add", "test.inventory.Break", "test.inventory.Clear", "test.inventory.Count", "test.inventory.Line"],
            served.Services.Select(s => s.Name).Order(StringComparer.Ordinal));
        MqReply count = await Caller.RequestAsync("test.inventory.Count", MqSerializer.FromJson("""["sku-2"]"""));
        Assert.Equal(5, count.Deserialize<int>());

        // A trailing optional argument left out takes its default (warehouse = 1).
        MqReply line = await Caller.RequestAsync("test.inventory.Line", MqSerializer.FromJson("""["sku-2"]"""));
        Assert.Equal("""["sku-2",1,5]""", line.ToJson());
    }

    [Fact]
    public async Task A_server_exception_arrives_as_a_remote_error_with_its_message()
    {
        await using MqObjectService served = await Server.ServeObjectAsync<IInventory>(new Inventory(new InventoryLog()));
        IInventory inventory = Caller.CreateProxy<IInventory>();

        RemoteErrorException error = await Assert.ThrowsAsync<RemoteErrorException>(async () => await inventory.BreakAsync("sku-9"));

        Assert.Contains("no such sku sku-9", error.Message);
        Assert.Equal(1, served.Services.Single(s => s.Name == "test.inventory.Break").Failed);
    }

    [Fact]
    public async Task Unreadable_or_missing_arguments_get_one_clear_error_and_the_object_keeps_serving()
    {
        var log = new InventoryLog();
        log.Stock["sku-3"] = 1;
        await using MqObjectService served = await Server.ServeObjectAsync<IInventory>(new Inventory(log));

        RemoteErrorException wrongType = await Assert.ThrowsAsync<RemoteErrorException>(async () =>
            await Caller.RequestAsync("test.inventory.Count", MqSerializer.FromJson("[42]")));
        RemoteErrorException missing = await Assert.ThrowsAsync<RemoteErrorException>(async () =>
            await Caller.RequestAsync("test.inventory.Count", MqSerializer.FromJson("[]")));
        RemoteErrorException notAnArray = await Assert.ThrowsAsync<RemoteErrorException>(async () =>
            await Caller.RequestAsync("test.inventory.Count", MqSerializer.FromJson("""{"sku":"sku-3"}""")));
        RemoteErrorException csv = await Assert.ThrowsAsync<RemoteErrorException>(async () =>
            await Caller.RequestAsync("test.inventory.Count", "sku-3"u8.ToArray(), new RequestOptions { Headers = new Dictionary<string, string> { [MqContentTypes.Header] = "text/csv" } }));

        Assert.Contains("argument 'sku' of 'test.inventory.Count' could not be read as String", wrongType.Message);
        Assert.Contains("the call of 'test.inventory.Count' lacks argument 'sku', which has no default", missing.Message);
        Assert.Contains("the arguments of 'test.inventory.Count' are not a MessagePack array of its parameters", notAnArray.Message);
        Assert.Contains("the arguments of 'test.inventory.Count' are text/csv, which this server does not read (remote object calls are application/msgpack, application/json, application/xml)", csv.Message);
        Assert.Equal(1, await Caller.CreateProxy<IInventory>().CountAsync("sku-3"));
        Assert.Equal(4, served.Services.Single(s => s.Name == "test.inventory.Count").Failed);
    }

    [Fact]
    public async Task Disposing_the_served_object_stops_every_method()
    {
        MqObjectService served = await Server.ServeObjectAsync<IInventory>(new Inventory(new InventoryLog()));
        IInventory inventory = Caller.CreateProxy<IInventory>();
        Assert.Equal(0, await inventory.CountAsync("sku-4"));

        await served.DisposeAsync();

        NoRespondersException error = await Assert.ThrowsAsync<NoRespondersException>(async () => await inventory.CountAsync("sku-4"));
        Assert.Contains("no server has method 'Count' of contract 'test.inventory' (service 'test.inventory.Count')", error.Message);
    }

    [Fact]
    public async Task Two_servers_of_a_contract_share_its_calls()
    {
        var log = new InventoryLog();
        await using MqClient second = await Broker.ConnectAsync("second-server");
        await using MqObjectService one = await Server.ServeObjectAsync<IInventory>(new Inventory(log));
        await using MqObjectService two = await second.ServeObjectAsync<IInventory>(new Inventory(log));
        IInventory inventory = Caller.CreateProxy<IInventory>();

        for (int i = 0; i < 20; i++)
        {
            await inventory.AddAsync("sku-5", 1, CancellationToken.None);
        }

        Assert.Equal(20, log.Stock["sku-5"]);
        Assert.True(one.Services.Single(s => s.Name == "test.inventory.Add").Handled > 0, "the first server had none of the calls");
        Assert.True(two.Services.Single(s => s.Name == "test.inventory.Add").Handled > 0, "the second server had none of the calls");
    }

    [Fact]
    public void A_type_that_is_not_a_contract_is_refused_with_a_message_saying_what_to_do()
    {
        // Through a type parameter: named directly, the generator refuses it at compile time (MQRPC005).
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => Proxy<IDisposable>(Caller));
        Assert.Contains("System.IDisposable is not an Mq contract: mark the interface [MqContract(\"name\")]", error.Message);
    }

    private static T Proxy<T>(MqClient client)
        where T : class => client.CreateProxy<T>();
}
