using System.Text;
using Mq.Client;
using Mq.Rpc;
using Mq.Serialization;

namespace Mq.IntegrationTests.Rpc;

/// <summary>
/// Remote objects called in JSON and XML as well as MessagePack: chosen by the proxy, the contract or the client,
/// answered in kind by the server, with the wire format docs/rpc.md gives.
/// </summary>
public sealed class ContentTypeTests : RpcTestBase
{
    private static readonly ProxyOptions Json = new() { Serializer = JsonMqSerializer.Default };
    private static readonly ProxyOptions Xml = new() { Serializer = XmlMqSerializer.Default };

    [Fact]
    public async Task A_json_proxy_calls_in_json_and_the_server_answers_in_kind()
    {
        await using MqObjectService served = await Server.ServeObjectAsync<IInventory>(new Inventory(new InventoryLog()));
        IInventory inventory = Caller.CreateProxy<IInventory>(Json);

        await inventory.AddAsync("sku-1", 3, CancellationToken.None);

        Assert.Equal(3, await inventory.CountAsync("sku-1"));
        Assert.Equal(new StockLine("sku-1", 1, 3), await inventory.LineAsync("sku-1"));
        MqReply raw = await Caller.RequestAsync("test.inventory.Line", Encoding.UTF8.GetBytes("""["sku-1",7]"""), WithContentType(MqContentTypes.Json));
        Assert.Equal(MqContentTypes.Json, raw.ContentType);
        Assert.Equal("""{"sku":"sku-1","warehouse":7,"quantity":3}""", Encoding.UTF8.GetString(raw.Data.Span));
    }

    [Fact]
    public async Task An_xml_proxy_calls_in_xml_and_a_hand_written_xml_call_in_the_documented_format_is_answered_in_xml()
    {
        await using MqObjectService inventoryServed = await Server.ServeObjectAsync<IInventory>(new Inventory(new InventoryLog()));
        await using MqObjectService pricingServed = await Server.ServeObjectAsync<IPricing>(new Pricing());
        IInventory inventory = Caller.CreateProxy<IInventory>(Xml);

        await inventory.AddAsync("sku-2", 4, CancellationToken.None);
        Parcel shipped = await Caller.CreateProxy<IPricing>(Xml).ShipAsync(new Parcel { Sku = "sku-2", Quantity = 1 }, 2);

        Assert.Equal(4, await inventory.CountAsync("sku-2"));
        Assert.Equal(("sku-2", 3), (shipped.Sku, shipped.Quantity));
        const string call = """<arguments xmlns="urn:mq:rpc"><string xmlns="http://schemas.microsoft.com/2003/10/Serialization/">sku-2</string></arguments>""";
        MqReply raw = await Caller.RequestAsync("test.inventory.Count", Encoding.UTF8.GetBytes(call), WithContentType(MqContentTypes.Xml));
        Assert.Equal(MqContentTypes.Xml, raw.ContentType);
        Assert.Equal(4, raw.Deserialize<int>());
        Assert.Contains(">4</int>", Encoding.UTF8.GetString(raw.Data.Span));
    }

    [Fact]
    public async Task The_contract_or_the_client_chooses_the_content_type_and_the_proxy_overrides_both()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string?>();
        await using MqService pricing = await Server.ServeAsync("test.pricing.Price", (request, _) =>
        {
            seen.Enqueue(request.ContentType);
            return ValueTask.FromResult(MqSerializer.Serialize(1.5m, MqSerializer.DefaultOptions));
        });
        await using MqService count = await Server.ServeAsync("test.inventory.Count", (request, _) =>
        {
            seen.Enqueue(request.ContentType);
            return ValueTask.FromResult(MqSerializer.Serialize(2, MqSerializer.DefaultOptions));
        });
        await using MqClient xmlClient = await MqClient.ConnectAsync(Broker.ClientOptions("xml-client") with { Serializer = XmlMqSerializer.Default });

        Assert.Equal(1.5m, await Caller.CreateProxy<IPricing>().PriceAsync("sku"));
        Assert.Equal(1.5m, await Caller.CreateProxy<IPricing>(new ProxyOptions { Serializer = MessagePackMqSerializer.Default }).PriceAsync("sku"));
        Assert.Equal(2, await Caller.CreateProxy<IInventory>().CountAsync("sku"));
        Assert.Equal(2, await xmlClient.CreateProxy<IInventory>().CountAsync("sku"));
        Assert.Equal(1.5m, await xmlClient.CreateProxy<IPricing>().PriceAsync("sku"));

        Assert.Equal([MqContentTypes.Json, MqContentTypes.MessagePack, MqContentTypes.MessagePack, MqContentTypes.Xml, MqContentTypes.Json], seen);
    }

    [Fact]
    public async Task Progress_stream_items_and_declared_faults_travel_in_the_calls_content_type()
    {
        await using MqObjectService served = await Server.ServeObjectAsync<IWarehouse>(new Warehouse());
        IWarehouse warehouse = Caller.CreateProxy<IWarehouse>(Json);
        var reports = new Reports<int>();
        var rows = new List<int>();

        int built = await warehouse.BuildAsync(3, reports, CancellationToken.None);
        await foreach (int row in warehouse.RowsAsync(4))
        {
            rows.Add(row);
        }

        MqFaultException<OutOfStock> fault = await Assert.ThrowsAsync<MqFaultException<OutOfStock>>(async () => await warehouse.TakeAsync("sku-3", 5));
        Assert.Equal(3, built);
        Assert.Equal([1, 2, 3], reports.Values);
        Assert.Equal([0, 1, 2, 3], rows);
        Assert.Equal(new OutOfStock("sku-3", 2), fault.Detail);
    }

    [Fact]
    public async Task A_serializer_that_cannot_carry_arguments_is_refused_when_the_proxy_is_made_and_a_server_without_one_says_so()
    {
        await using MqObjectService served = await Server.ServeObjectAsync<IInventory>(new Inventory(new InventoryLog()));

        ArgumentException refused = Assert.Throws<ArgumentException>(() => Caller.CreateProxy<IInventory>(new ProxyOptions { Serializer = new TextSerializer() }));

        Assert.Contains("TextSerializer (text/plain) cannot carry a remote object call's arguments", refused.Message);
        Assert.Equal(0, await Caller.CreateProxy<IInventory>().CountAsync("sku-4"));
    }

    private static RequestOptions WithContentType(string contentType) =>
        new() { Headers = new Dictionary<string, string> { [MqContentTypes.Header] = contentType } };

    /// <summary>A serializer of messages that has no way to write an argument list.</summary>
    private sealed class TextSerializer : IMqSerializer
    {
        public string ContentType => "text/plain";

        public ReadOnlyMemory<byte> Serialize<T>(T value) => Encoding.UTF8.GetBytes(value?.ToString() ?? "");

        public T Deserialize<T>(ReadOnlyMemory<byte> payload) => throw new NotSupportedException();

        public string ToJson(ReadOnlyMemory<byte> payload) => Encoding.UTF8.GetString(payload.Span);
    }
}
