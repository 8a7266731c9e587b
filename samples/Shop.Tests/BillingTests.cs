using Mq.Client;
using Mq.Testing;
using Shop.Contracts;
using Xunit;

public sealed class BillingTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task An_order_is_billed_at_the_quoted_price()
    {
        TestBroker broker = fixture.Broker;
        await using PeerProcess prices = await broker.StartPeerAsync(PeerStart.App("Shop.Prices"));
        await using PeerProcess worker = await broker.StartPeerAsync(PeerStart.App("Shop.Worker"));
        await using MessageRecorder<OrderBilled> billed = await broker.RecordAsync<OrderBilled>("orders.billed");
        await using MqClient client = await broker.ConnectAsync("test");

        await client.PublishAsync("orders.eu.created", new OrderCreated { Id = 42, Sku = "sku-1", Quantity = 2 });
        IReadOnlyList<RecordedMessage<OrderBilled>> bills = await billed.WaitForCountAsync(1, TimeSpan.FromSeconds(30));
        await broker.WaitForQuietAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(42, bills[0].Payload.Id);
        Assert.Equal(19.98, bills[0].Payload.Total);
        Assert.Single(billed.Messages);
    }
}
