using System.Text;
using Mq.Broker.Security;
using Mq.Broker.Streams;
using Mq.Client;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;

namespace Mq.IntegrationTests.Streams;

/// <summary>Streams keeping the last value per subject: late joiners get the current values, then changes, filtered.</summary>
public sealed class StreamLastValueTests
{
    private static void LastValues(Mq.Testing.TestBrokerOptions o) =>
        o.Broker.Streams["prices"] = new BrokerStreamOptions { Subjects = ["prices.>"], MaxPerSubject = 1 };

    [Fact]
    public async Task A_late_joiner_gets_the_newest_value_of_each_subject_then_live_changes()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync(LastValues);
        MqClient client = await broker.ConnectAsync("client");
        await client.PublishDurableAsync("prices.a", Encoding.UTF8.GetBytes("a1"));
        await client.PublishDurableAsync("prices.b", Encoding.UTF8.GetBytes("b1"));
        await client.PublishDurableAsync("prices.a", Encoding.UTF8.GetBytes("a2"));

        await using MqSubscription watcher = await client.ConsumeAsync("prices", "prices.>", StreamStart.LastPerSubject);
        List<MqMessage> current = await watcher.TakeAsync(2);
        await client.PublishDurableAsync("prices.b", Encoding.UTF8.GetBytes("b2"));
        List<MqMessage> live = await watcher.TakeAsync(1);

        Assert.Equal(["b1", "a2", "b2"], current.Concat(live).Select(m => Encoding.UTF8.GetString(m.Data.Span)));
        Assert.Equal([2UL, 3UL, 4UL], current.Concat(live).Select(m => m.StreamSequence));
        Assert.True(await watcher.StaysEmptyAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task A_filter_gives_only_the_current_values_asked_for()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync(LastValues);
        MqClient client = await broker.ConnectAsync("client");
        await client.PublishDurableAsync("prices.eu.x", Encoding.UTF8.GetBytes("x1"));
        await client.PublishDurableAsync("prices.us.y", Encoding.UTF8.GetBytes("y1"));
        await client.PublishDurableAsync("prices.eu.x", Encoding.UTF8.GetBytes("x2"));

        await using MqSubscription watcher = await client.ConsumeAsync("prices", "prices.eu.*", StreamStart.LastPerSubject);
        Assert.Equal("x2", Encoding.UTF8.GetString((await watcher.TakeAsync(1))[0].Data.Span));
        await client.PublishDurableAsync("prices.us.y", Encoding.UTF8.GetBytes("y2"));
        await client.PublishDurableAsync("prices.eu.z", Encoding.UTF8.GetBytes("z1"));

        MqMessage next = (await watcher.TakeAsync(1))[0];
        Assert.Equal(("prices.eu.z", "z1"), (next.Subject, Encoding.UTF8.GetString(next.Data.Span)));
    }

    [Fact]
    public async Task Older_values_are_skipped_by_every_reader_also_after_a_restart()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync(LastValues);
        MqClient client = await broker.ConnectAsync("client");
        for (int i = 1; i <= 5; i++)
        {
            await client.PublishDurableAsync("prices.a", new[] { (byte)i });
        }

        await client.PublishDurableAsync("prices.b", new byte[] { 9 });
        await broker.RestartAsync(LastValues);
        client = await broker.ConnectAsync("again");

        await using MqSubscription fromStart = await client.ConsumeAsync("prices", StreamStart.First);
        Assert.Equal([5UL, 6UL], (await fromStart.TakeAsync(2)).Select(m => m.StreamSequence));
        await using MqSubscription watcher = await client.ConsumeAsync("prices", "prices.a", StreamStart.LastPerSubject);
        Assert.Equal(5, (await watcher.TakeAsync(1))[0].Data.Span[0]);
        await client.PublishDurableAsync("prices.a", new byte[] { 6 });
        Assert.Equal(6, (await watcher.TakeAsync(1))[0].Data.Span[0]);
    }

    [Fact]
    public async Task A_stream_without_last_values_refuses_the_last_value_start()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        MqClient client = await broker.ConnectAsync("client");

        MqException refused = await Assert.ThrowsAnyAsync<MqException>(async () => await client.ConsumeAsync("orders", "orders.>", StreamStart.LastPerSubject));
        Assert.Equal(ErrorCode.Malformed, refused.Code);
    }

    [Fact]
    public async Task A_publish_expecting_a_revision_is_stored_only_at_that_revision()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync(LastValues);
        MqClient client = await broker.ConnectAsync("client");
        Dictionary<string, string> Expect(ulong revision) => new() { ["mq-expected-rev"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture) };

        DurableAck first = await client.PublishDurableAsync("prices.a", new byte[] { 1 }, headers: Expect(0));
        DurableAck second = await client.PublishDurableAsync("prices.a", new byte[] { 2 }, headers: Expect(first.Sequence));
        MqException conflict = await Assert.ThrowsAnyAsync<MqException>(async () => await client.PublishDurableAsync("prices.a", new byte[] { 3 }, headers: Expect(first.Sequence)));

        Assert.Equal(first.Sequence + 1, second.Sequence);
        Assert.Equal(ErrorCode.Conflict, conflict.Code);
    }

    [Fact]
    public async Task Reading_with_a_filter_needs_subscribe_rights_on_the_filter_only()
    {
        var reader = new PolicyRole
        {
            Publish = new PolicyRule { Allow = ["prices.eu.>"] },
            Subscribe = new PolicyRule { Allow = ["prices.eu.>"] },
        };
        await using StreamBroker broker = await StreamBroker.StartAsync(o => { LastValues(o); o.AddIdentity("reader", reader); });
        MqClient client = await broker.ConnectAsync("reader", "reader");
        await client.PublishDurableAsync("prices.eu.x", new byte[] { 1 });

        await Assert.ThrowsAsync<PermissionDeniedException>(async () => await client.ConsumeAsync("prices", "prices.>", StreamStart.LastPerSubject));
        await Assert.ThrowsAsync<PermissionDeniedException>(async () => await client.ConsumeAsync("prices", StreamStart.First));
        await using MqSubscription allowed = await client.ConsumeAsync("prices", "prices.eu.>", StreamStart.LastPerSubject);
        Assert.Equal("prices.eu.x", (await allowed.TakeAsync(1))[0].Subject);
    }
}
