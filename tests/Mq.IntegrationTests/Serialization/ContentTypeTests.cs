using System.Runtime.Serialization;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Serialization;

namespace Mq.IntegrationTests.Serialization;

public sealed class ContentTypeTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private InProcessBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await InProcessBroker.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task A_json_publisher_and_a_messagepack_subscriber_share_a_subject()
    {
        await using MqClient json = await _broker.ConnectAsync("json", o => o with { Serializer = JsonMqSerializer.Default });
        await using MqClient plain = await _broker.ConnectAsync("plain");
        await using MqSubscription subscription = await plain.SubscribeAsync("parcels.sent");

        await json.PublishAsync("parcels.sent", new Shipment { Id = 3, To = "grace" });
        await plain.PublishAsync("parcels.sent", new Shipment { Id = 4, To = "alan" });
        MqMessage first = await subscription.Reader.ReadAsync().AsTask().WaitAsync(Bound);
        MqMessage second = await subscription.Reader.ReadAsync().AsTask().WaitAsync(Bound);

        Assert.Equal((MqContentTypes.Json, 3, "grace"), (first.ContentType, first.Deserialize<Shipment>().Id, first.Deserialize<Shipment>().To));
        Assert.Equal("{\"id\":3,\"to\":\"grace\"}", first.ToJson());
        Assert.Equal((MqContentTypes.MessagePack, 4), (second.ContentType, second.Deserialize<Shipment>().Id));
    }

    [Fact]
    public async Task A_typed_service_answers_in_the_format_it_was_asked_in()
    {
        await using MqClient server = await _broker.ConnectAsync("server");
        await using MqClient caller = await _broker.ConnectAsync("caller");
        await using MqService service = await server.ServeAsync<Shipment, Shipment>("parcels.forward", (s, _) => ValueTask.FromResult(s with { Id = s.Id + 1 }));

        MqReply xml = await caller.RequestAsync("parcels.forward", XmlMqSerializer.Default.Serialize(new Shipment { Id = 1, To = "ada" }),
            new RequestOptions { Headers = new Dictionary<string, string> { [MqContentTypes.Header] = MqContentTypes.Xml } });
        Shipment json = await caller.RequestAsync<Shipment, Shipment>("parcels.forward", new Shipment { Id = 10, To = "ada" }, new RequestOptions { Serializer = JsonMqSerializer.Default });

        Assert.Equal(MqContentTypes.Xml, xml.ContentType);
        Assert.Equal(2, xml.Deserialize<Shipment>().Id);
        Assert.Equal(11, json.Id);
    }

    [Fact]
    public async Task A_per_call_serializer_overrides_the_clients()
    {
        await using MqClient publisher = await _broker.ConnectAsync("publisher", o => o with { Serializer = JsonMqSerializer.Default });
        await using MqSubscription subscription = await publisher.SubscribeAsync("parcels.xml");

        await publisher.PublishAsync("parcels.xml", new Shipment { Id = 5, To = "edsger" }, XmlMqSerializer.Default);
        MqMessage message = await subscription.Reader.ReadAsync().AsTask().WaitAsync(Bound);

        Assert.Equal(MqContentTypes.Xml, message.ContentType);
        Assert.Equal("edsger", message.Deserialize<Shipment>().To);
        Assert.Contains("\"to\":\"edsger\"", message.ToJson(), StringComparison.Ordinal);
    }

    [DataContract(Namespace = "")]
    public sealed record Shipment
    {
        [DataMember(Name = "id")]
        public int Id { get; init; }

        [DataMember(Name = "to")]
        public string To { get; init; } = "";
    }
}
