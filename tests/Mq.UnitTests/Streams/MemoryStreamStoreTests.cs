using Mq.Broker.Persistence;
using Mq.Broker.Streams;

namespace Mq.UnitTests.Streams;

public sealed class MemoryStreamStoreTests
{
    [Fact]
    public async Task Appends_get_gap_free_sequences_and_reads_start_where_asked()
    {
        await using var store = new MemoryStreamStore(new StreamOptions { Name = "m" });
        for (int i = 1; i <= 5; i++)
        {
            Assert.Equal((ulong)i, await store.AppendAsync(Message(i)));
        }

        Assert.Equal([3UL, 4UL], (await store.ReadAsync(3, 2)).Select(m => m.Sequence));
        Assert.Empty(await store.ReadAsync(6, 10));
        Assert.Equal(new StreamState(1, 5, 5, 5 * (32 + 1 + 1)), store.State);
    }

    [Fact]
    public async Task Discard_old_drops_the_oldest_and_reads_skip_to_what_is_held()
    {
        await using var store = new MemoryStreamStore(new StreamOptions { Name = "m", Limits = new StreamLimits { MaxMessages = 2 } });
        for (int i = 1; i <= 2000; i++)
        {
            await store.AppendAsync(Message(i));
        }

        Assert.Equal([1999UL, 2000UL], (await store.ReadAsync(1, 10)).Select(m => m.Sequence));
        Assert.Equal(1999UL, store.State.FirstSequence);
    }

    [Fact]
    public async Task Discard_new_refuses_at_the_limit_and_a_purge_keeps_the_sequence_going()
    {
        await using var store = new MemoryStreamStore(new StreamOptions { Name = "m", Limits = new StreamLimits { MaxMessages = 1, Discard = DiscardPolicy.New } });
        await store.AppendAsync(Message(1));

        await Assert.ThrowsAsync<StreamFullException>(async () => await store.AppendAsync(Message(2)));
        Assert.Equal(1, await store.PurgeAsync());
        Assert.Equal(2UL, await store.AppendAsync(Message(3)));
        Assert.Equal(new StreamState(2, 2, 1, 34), store.State);
    }

    [Fact]
    public async Task A_time_finds_the_first_message_stored_at_or_after_it()
    {
        await using var store = new MemoryStreamStore(new StreamOptions { Name = "m" });
        await store.AppendAsync(Message(1));
        StoredMessage first = (await store.ReadAsync(1, 1))[0];

        Assert.Equal(1UL, await store.FindSequenceAsync(DateTimeOffset.FromUnixTimeMilliseconds(first.Timestamp)));
        Assert.Null(await store.FindSequenceAsync(DateTimeOffset.FromUnixTimeMilliseconds(first.Timestamp + 60_000)));
    }

    private static StreamMessage Message(int i) => new("s", default, new[] { (byte)i });
}
