using MessagePack;
using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;

namespace Mq.IntegrationTests.InProcess;

/// <summary>A payload that is not the handler's type: the sender or the log hears why, once, and nothing else breaks.</summary>
public sealed class UnreadablePayloadTests : IAsyncLifetime
{
    private InProcessBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await InProcessBroker.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task A_json_object_for_an_integer_keyed_contract_is_a_remote_error_naming_the_type_and_the_fix()
    {
        MqClient server = await _broker.ConnectAsync("server");
        MqClient requester = await _broker.ConnectAsync("requester");
        await using MqService service = await server.ServeAsync<OrderCreated, int>("orders.count", (order, _) => ValueTask.FromResult(order.Id));

        var error = await Assert.ThrowsAsync<RemoteErrorException>(async () => await requester.RequestAsync("orders.count", MessagePackSerializer.ConvertFromJson("""{"id":42}""")));

        Assert.StartsWith("'orders.count' failed: the payload could not be read as OrderCreated: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("has integer [Key]s and reads an array; give it string keys", error.Message);
        Assert.Equal(1, service.Failed);
        Assert.Equal(7, await requester.RequestAsync<OrderCreated, int>("orders.count", new OrderCreated { Id = 7 }));
    }

    [Fact]
    public async Task A_typed_subscription_counts_unreadable_messages_and_goes_on_with_the_next()
    {
        MqClient subscriber = await _broker.ConnectAsync("subscriber");
        MqClient publisher = await _broker.ConnectAsync("publisher");
        var handled = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using MqSubscription subscription = await subscriber.SubscribeAsync<int>("numbers", (n, _, _) =>
        {
            handled.TrySetResult(n);
            return ValueTask.CompletedTask;
        });

        await publisher.PublishAsync("numbers", "not a number");
        await publisher.PublishAsync("numbers", "nor this");
        await publisher.PublishAsync("numbers", 5);

        Assert.Equal(5, await handled.Task.WaitAsync(Waits.Default));
        Assert.Equal(2, subscription.Unreadable);
    }
}
