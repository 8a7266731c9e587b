using System.Text;
using Mq.Broker.Persistence;

namespace Mq.UnitTests.Persistence;

public sealed class StreamStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _directory.Dispose();

    internal static StreamMessage Message(string text, string subject = "orders.new") =>
        new(subject, Encoding.UTF8.GetBytes("h:" + text), Encoding.UTF8.GetBytes(text));

    internal static async Task<List<StoredMessage>> ReadAllAsync(IStreamStore stream, ulong from = 1)
    {
        var all = new List<StoredMessage>();
        for (IReadOnlyList<StoredMessage> batch; (batch = await stream.ReadAsync(from, 100)).Count > 0; from = batch[^1].Sequence + 1)
            all.AddRange(batch);
        return all;
    }

    private ValueTask<FileMessageStore> OpenStoreAsync() =>
        FileMessageStore.OpenAsync(new FileStoreOptions { Directory = _directory.Path }, timeProvider: _time);

    [Fact]
    public async Task Appends_get_gap_free_sequences_and_read_back_in_order_with_subject_headers_and_payload()
    {
        await using FileMessageStore store = await OpenStoreAsync();
        IStreamStore stream = await store.OpenStreamAsync(new StreamOptions { Name = "orders" });

        Assert.Equal(1UL, await stream.AppendAsync(Message("a")));
        AppendResult batch = await stream.AppendAsync([Message("b"), Message("c", "orders.old")]);
        Assert.Equal((2UL, 3UL), (batch[0], batch.LastSequence));

        List<StoredMessage> read = await ReadAllAsync(stream);
        Assert.Equal(["a", "b", "c"], read.Select(m => Encoding.UTF8.GetString(m.Payload.Span)));
        Assert.Equal([1UL, 2UL, 3UL], read.Select(m => m.Sequence));
        Assert.Equal("orders.old", read[2].Subject);
        Assert.Equal("h:c", Encoding.UTF8.GetString(read[2].Headers.Span));
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), read[0].Timestamp);
        Assert.Equal(new StreamState(1, 3, 3, read.Sum(m => 32L + m.Subject.Length + m.Headers.Length + m.Payload.Length)), stream.State);
        Assert.Equal([2UL, 3UL], (await stream.ReadAsync(2, 10)).Select(m => m.Sequence));
        Assert.Empty(await stream.ReadAsync(4, 10));
    }

    [Fact]
    public async Task Concurrent_appenders_each_get_their_own_sequence_and_survive_reopen_across_segments()
    {
        var options = new StreamOptions { Name = "many", SegmentBytes = 4096, Fsync = FsyncPolicy.EveryMs(5) };
        await using (FileMessageStore store = await OpenStoreAsync())
        {
            IStreamStore stream = await store.OpenStreamAsync(options);
            ulong[] sequences = await Task.WhenAll(Enumerable.Range(0, 500).Select(i => stream.AppendAsync(Message($"m{i}")).AsTask()));
            Assert.Equal(Enumerable.Range(1, 500).Select(i => (ulong)i), sequences.Order());
        }
        Assert.True(Directory.GetFiles(Path.Combine(_directory.Path, "streams", "many"), "*.seg").Length > 5);

        await using FileMessageStore reopened = await OpenStoreAsync();
        IStreamStore again = await reopened.OpenStreamAsync(options);
        List<StoredMessage> read = await ReadAllAsync(again);
        Assert.Equal(Enumerable.Range(1, 500).Select(i => (ulong)i), read.Select(m => m.Sequence));
        Assert.Equal(500, read.Select(m => Encoding.UTF8.GetString(m.Payload.Span)).Distinct().Count());
        Assert.Equal(501UL, await again.AppendAsync(Message("next")));
    }

    [Fact]
    public async Task Readers_keep_reading_in_order_while_limits_delete_the_segments_under_them()
    {
        await using FileMessageStore store = await OpenStoreAsync();
        IStreamStore stream = await store.OpenStreamAsync(new StreamOptions
        {
            Name = "churn",
            SegmentBytes = 4096,
            Fsync = FsyncPolicy.EveryMs(5),
            Limits = new StreamLimits { MaxMessages = 100 },
        });
        Task appending = Task.Run(async () =>
        {
            for (int i = 1; i <= 3000; i++)
                await stream.AppendAsync(Message($"m{i}"));
        });
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            ulong last = 0;
            while (!appending.IsCompleted || last < stream.State.LastSequence)
            {
                foreach (StoredMessage message in await stream.ReadAsync(Math.Max(last + 1, stream.State.FirstSequence), 50))
                {
                    Assert.True(message.Sequence > last);
                    Assert.Equal($"m{message.Sequence}", Encoding.UTF8.GetString(message.Payload.Span));
                    last = message.Sequence;
                }
            }
            return last;
        })).ToArray();

        await appending.WaitAsync(TimeSpan.FromSeconds(60));
        ulong[] lastRead = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(lastRead, last => Assert.Equal(3000UL, last));
        Assert.Equal((2901UL, 3000UL), (stream.State.FirstSequence, stream.State.LastSequence));
        Assert.True(Directory.GetFiles(Path.Combine(_directory.Path, "streams", "churn"), "*.seg").Length <= 3);
    }

    [Fact]
    public async Task The_first_sequence_at_or_after_a_time_is_found()
    {
        await using FileMessageStore store = await OpenStoreAsync();
        IStreamStore stream = await store.OpenStreamAsync(new StreamOptions { Name = "timed", SegmentBytes = 4096 });
        DateTimeOffset start = _time.GetUtcNow();
        for (int i = 0; i < 200; i++)
        {
            await stream.AppendAsync(Message($"m{i}"));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(1UL, await stream.FindSequenceAsync(start.AddDays(-1)));
        Assert.Equal(101UL, await stream.FindSequenceAsync(start.AddSeconds(100)));
        Assert.Equal(102UL, await stream.FindSequenceAsync(start.AddSeconds(100.5)));
        Assert.Null(await stream.FindSequenceAsync(start.AddSeconds(200)));
    }

    [Fact]
    public async Task Discard_old_drops_the_oldest_beyond_max_messages_and_they_stay_dropped_after_reopen()
    {
        var options = new StreamOptions { Name = "capped", SegmentBytes = 4096, Limits = new StreamLimits { MaxMessages = 10 } };
        await using (FileMessageStore store = await OpenStoreAsync())
        {
            IStreamStore stream = await store.OpenStreamAsync(options);
            for (int i = 0; i < 100; i++)
                await stream.AppendAsync(Message($"m{i}"));
            Assert.Equal((91UL, 100UL, 10L), (stream.State.FirstSequence, stream.State.LastSequence, stream.State.Messages));
            Assert.Equal(91UL, (await stream.ReadAsync(1, 1))[0].Sequence);
        }
        await using FileMessageStore reopened = await OpenStoreAsync();
        IStreamStore again = await reopened.OpenStreamAsync(options with { Limits = StreamLimits.Unlimited });
        Assert.Equal(Enumerable.Range(91, 10).Select(i => (ulong)i), (await ReadAllAsync(again)).Select(m => m.Sequence));
    }

    [Fact]
    public async Task Refuse_new_fails_the_append_with_a_typed_error_and_keeps_what_is_stored()
    {
        await using FileMessageStore store = await OpenStoreAsync();
        IStreamStore stream = await store.OpenStreamAsync(new StreamOptions
        {
            Name = "bounded",
            Limits = new StreamLimits { MaxBytes = 300, Discard = DiscardPolicy.New },
        });
        await stream.AppendAsync(Message(new string('x', 100)));

        StreamFullException refused = await Assert.ThrowsAsync<StreamFullException>(async () => await stream.AppendAsync(Message(new string('y', 100))));

        Assert.Equal("MaxBytes 300", refused.Limit);
        Assert.Contains("bounded", refused.Message, StringComparison.Ordinal);
        Assert.Equal((1UL, 1L), (stream.State.LastSequence, stream.State.Messages));
        Assert.Equal(2UL, await stream.AppendAsync(Message("small")));
    }

    [Fact]
    public async Task Messages_older_than_max_age_are_dropped()
    {
        await using FileMessageStore store = await OpenStoreAsync();
        IStreamStore stream = await store.OpenStreamAsync(new StreamOptions { Name = "aged", Limits = new StreamLimits { MaxAge = TimeSpan.FromMinutes(1) } });
        await stream.AppendAsync(Message("old"));
        _time.Advance(TimeSpan.FromMinutes(2));

        await stream.AppendAsync(Message("new"));

        Assert.Equal(["new"], (await ReadAllAsync(stream)).Select(m => Encoding.UTF8.GetString(m.Payload.Span)));
    }

    [Fact]
    public async Task Purge_removes_everything_and_sequences_go_on_after_reopen()
    {
        var options = new StreamOptions { Name = "purged", SegmentBytes = 4096 };
        await using (FileMessageStore store = await OpenStoreAsync())
        {
            IStreamStore stream = await store.OpenStreamAsync(options);
            for (int i = 0; i < 50; i++)
                await stream.AppendAsync(Message($"m{i}"));
            Assert.Equal(50, await stream.PurgeAsync());
            Assert.Equal(new StreamState(51, 50, 0, 0), stream.State);
        }
        await using FileMessageStore reopened = await OpenStoreAsync();
        IStreamStore again = await reopened.OpenStreamAsync(options);
        Assert.Equal(new StreamState(51, 50, 0, 0), again.State);
        Assert.Empty(await again.ReadAsync(1, 10));
        Assert.Equal(51UL, await again.AppendAsync(Message("after")));
    }

    [Fact]
    public async Task Consumer_positions_are_kept_across_reopen_and_compaction()
    {
        var options = new StreamOptions { Name = "acked" };
        await using (FileMessageStore store = await OpenStoreAsync())
        {
            IStreamStore stream = await store.OpenStreamAsync(options);
            for (ulong floor = 1; floor <= 3000; floor++)
                await stream.Consumers.SetAsync(floor % 2 == 0 ? "billing" : "audit", floor);
            await stream.Consumers.SetAsync("gone", 7);
            Assert.True(await stream.Consumers.DeleteAsync("gone"));
            Assert.False(await stream.Consumers.DeleteAsync("gone"));
        }
        await using FileMessageStore reopened = await OpenStoreAsync();
        IStreamStore again = await reopened.OpenStreamAsync(options);
        Assert.Equal(new Dictionary<string, ulong> { ["billing"] = 3000, ["audit"] = 2999 }, await again.Consumers.GetAllAsync());
        Assert.Null(await again.Consumers.GetAsync("gone"));
        Assert.True(new FileInfo(Path.Combine(_directory.Path, "streams", "acked", "consumers.log")).Length < 3000 * 40);
    }

    [Fact]
    public async Task Streams_are_listed_and_deleted_with_their_files()
    {
        await using FileMessageStore store = await OpenStoreAsync();
        IStreamStore one = await store.OpenStreamAsync(new StreamOptions { Name = "one" });
        await one.AppendAsync(Message("x"));
        await store.OpenStreamAsync(new StreamOptions { Name = "two" });

        Assert.Equal(["one", "two"], await store.ListStreamsAsync());
        Assert.True(await store.DeleteStreamAsync("one"));
        Assert.False(await store.DeleteStreamAsync("one"));
        Assert.Equal(["two"], await store.ListStreamsAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await one.AppendAsync(Message("y")));
    }

    [Fact]
    public async Task A_second_process_or_instance_cannot_open_the_same_directory()
    {
        await using FileMessageStore store = await OpenStoreAsync();

        IOException error = await Assert.ThrowsAsync<IOException>(async () => await OpenStoreAsync());

        Assert.Contains("open in another process", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad name", "Stream name 'bad name' is not valid")]
    [InlineData("", "Stream name '' is not valid")]
    public void Invalid_options_say_what_is_wrong(string name, string expected)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new StreamOptions { Name = name }.Validate());
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new StreamOptions { Name = "ok", Limits = new StreamLimits { MaxMessages = 0 } }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => FsyncPolicy.EveryMs(0));
    }
}
