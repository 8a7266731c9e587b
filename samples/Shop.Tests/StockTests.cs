using Mq.Client;
using Mq.Testing;
using Shop.Contracts;
using Xunit;

public sealed class StockTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task The_stock_served_by_the_prices_app_is_called_through_its_proxy()
    {
        TestBroker broker = fixture.Broker;
        await using PeerProcess prices = await broker.StartPeerAsync(PeerStart.App("Shop.Prices"));
        await using MqClient client = await broker.ConnectAsync("test");

        IStock stock = client.CreateProxy<IStock>();

        Assert.Equal(12, await stock.AvailableAsync("sku-1"));
        Assert.Equal(0, await stock.AvailableAsync("sku-unknown"));
    }
}
