using Mq.Broker.Security;
using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;

namespace Mq.IntegrationTests.Streams;

/// <summary>Streams at run time ($SYS.stream.*) and under a policy: who may create, purge, delete, publish into and read them.</summary>
public sealed class StreamAdminTests
{
    private static readonly string[] Invoices = ["invoices.>"];
    private static readonly string[] InvoicesEu = ["invoices.eu"];
    private static readonly string[] Mine = ["mine.>"];

    private static readonly PolicyRole Admin = new()
    {
        Publish = new PolicyRule { Allow = [">"] },
        Subscribe = new PolicyRule { Allow = [">"] },
        Request = new PolicyRule { Allow = ["$SYS.>"] },
    };

    // May publish only to the EU, read nothing of orders, and ask only for stream information.
    private static readonly PolicyRole Clerk = new()
    {
        Publish = new PolicyRule { Allow = ["orders.eu.>"] },
        Subscribe = new PolicyRule { Allow = ["public.>"] },
        Request = new PolicyRule { Allow = ["$SYS.stream.info"] },
    };

    [Fact]
    public async Task A_stream_created_at_run_time_captures_is_purged_and_deleted_and_survives_a_restart_until_then()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("admin");

        Dictionary<string, object?> created = await StreamBroker.AdminAsync(client, StreamNames.Create, new()
        {
            ["name"] = "invoices", ["subjects"] = Invoices, ["max_messages"] = 100, ["fsync_every_ms"] = 50,
        });
        Assert.Equal("invoices", created["name"]);
        Assert.Equal(1UL, (await client.PublishDurableAsync("invoices.new", new byte[] { 1 })).Sequence);

        // Created again with the same settings: the same stream, not an error; with others: a conflict.
        Assert.Equal(1L, Convert.ToInt64((await StreamBroker.AdminAsync(client, StreamNames.Create, new() { ["name"] = "invoices", ["subjects"] = Invoices, ["max_messages"] = 100, ["fsync_every_ms"] = 50 }))["messages"], System.Globalization.CultureInfo.InvariantCulture));
        MqException conflict = await Assert.ThrowsAsync<MqException>(() => StreamBroker.AdminAsync(client, StreamNames.Create, new() { ["name"] = "other", ["subjects"] = InvoicesEu }));
        Assert.Equal(ErrorCode.Conflict, conflict.Code);

        await broker.RestartAsync();
        client = await broker.ConnectAsync("admin");
        Dictionary<string, object?> list = await StreamBroker.AdminAsync(client, StreamNames.List, []);
        Assert.Equal(2L, Convert.ToInt64(list["total"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, await StreamBroker.MessagesAsync(client, "invoices"));

        Dictionary<string, object?> purged = await StreamBroker.AdminAsync(client, StreamNames.Purge, new() { ["name"] = "invoices" });
        Assert.Equal(1L, Convert.ToInt64(purged["purged"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, await StreamBroker.MessagesAsync(client, "invoices"));
        Assert.Equal(2UL, (await client.PublishDurableAsync("invoices.new", new byte[] { 2 })).Sequence);

        await using MqSubscription consumer = await client.ConsumeAsync("invoices", StreamStart.First);
        Assert.Equal([2UL], (await consumer.TakeAsync(1)).Select(m => m.StreamSequence));
        await StreamBroker.AdminAsync(client, StreamNames.Delete, new() { ["name"] = "invoices" });

        // Its consumer ends (its reader completes; a timeout here throws), durable publishes find no stream, and it does not come back.
        using (var wait = new CancellationTokenSource(Waits.Default))
        {
            while (await consumer.Reader.WaitToReadAsync(wait.Token))
            {
                consumer.Reader.TryRead(out _);
            }
        }

        Assert.Equal(ErrorCode.NoStream, (await Assert.ThrowsAsync<MqException>(async () => await client.PublishDurableAsync("invoices.new", new byte[] { 3 }))).Code);
        await broker.RestartAsync();
        client = await broker.ConnectAsync("admin");
        Assert.Equal(ErrorCode.NoStream, (await Assert.ThrowsAsync<MqException>(() => StreamBroker.MessagesAsync(client, "invoices"))).Code);
    }

    [Fact]
    public async Task Creating_purging_and_deleting_need_the_admin_right()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync(o => o.AddIdentity("admin", Admin).AddIdentity("clerk", Clerk));
        MqClient admin = await broker.ConnectAsync("admin", "admin");
        MqClient clerk = await broker.ConnectAsync("clerk", "clerk");
        await admin.PublishDurableAsync("orders.eu.created", new byte[] { 1 });

        await Assert.ThrowsAsync<PermissionDeniedException>(() => StreamBroker.AdminAsync(clerk, StreamNames.Create, new() { ["name"] = "mine", ["subjects"] = Mine }));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => StreamBroker.AdminAsync(clerk, StreamNames.Purge, new() { ["name"] = "orders" }));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => StreamBroker.AdminAsync(clerk, StreamNames.Delete, new() { ["name"] = "orders" }));
        Assert.Equal(1, await StreamBroker.MessagesAsync(clerk, "orders"));

        await StreamBroker.AdminAsync(admin, StreamNames.Create, new() { ["name"] = "mine", ["subjects"] = Mine, ["storage"] = "memory" });
        await StreamBroker.AdminAsync(admin, StreamNames.Purge, new() { ["name"] = "orders" });
        await StreamBroker.AdminAsync(admin, StreamNames.Delete, new() { ["name"] = "mine" });
        Assert.Equal(0, await StreamBroker.MessagesAsync(admin, "orders"));
    }

    [Fact]
    public async Task A_stream_captures_only_what_its_publisher_may_publish_and_is_read_only_with_subscribe_rights()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync(o => o.AddIdentity("admin", Admin).AddIdentity("clerk", Clerk));
        MqClient admin = await broker.ConnectAsync("admin", "admin");
        MqClient clerk = await broker.ConnectAsync("clerk", "clerk");

        Assert.Equal(1UL, (await clerk.PublishDurableAsync("orders.eu.created", new byte[] { 1 })).Sequence);
        await Assert.ThrowsAsync<PermissionDeniedException>(async () => await clerk.PublishDurableAsync("orders.us.created", new byte[] { 2 }));

        // A plain PUB it may not publish is refused too, and the stream does not take it.
        var refused = new TaskCompletionSource<MqException>(TaskCreationOptions.RunContinuationsAsynchronously);
        clerk.Error += (_, e) => refused.TrySetResult(e.Error);
        await clerk.PublishAsync("orders.us.created", new byte[] { 3 });
        Assert.IsType<PermissionDeniedException>(await refused.Task.WaitAsync(Waits.Default));
        Assert.Equal(1, await StreamBroker.MessagesAsync(admin, "orders"));

        MqException denied = await Assert.ThrowsAsync<PermissionDeniedException>(async () => await clerk.ConsumeAsync("orders", StreamStart.First));
        Assert.Contains("orders.>", denied.Message, StringComparison.Ordinal);
        await using MqSubscription reader = await admin.ConsumeAsync("orders", StreamStart.First);
        Assert.Equal([1UL], (await reader.TakeAsync(1)).Select(m => m.StreamSequence));
    }
}
