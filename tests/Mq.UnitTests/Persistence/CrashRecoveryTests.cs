using System.Text;
using Mq.Broker.Persistence;

namespace Mq.UnitTests.Persistence;

public sealed class CrashRecoveryTests : IDisposable
{
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(60);
    private static readonly StreamOptions Options = new() { Name = "crash" };

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string Segment => _directory.Segment("crash", 1);

    private ValueTask<FileMessageStore> OpenStoreAsync() => FileMessageStore.OpenAsync(new FileStoreOptions { Directory = _directory.Path });

    private async Task<long> WriteTwentyAsync()
    {
        await using FileMessageStore store = await OpenStoreAsync();
        IStreamStore stream = await store.OpenStreamAsync(Options);
        for (int i = 1; i <= 20; i++)
            await stream.AppendAsync(StreamStoreTests.Message($"m{i:D2}"));
        return new FileInfo(Segment).Length / 20;
    }

    /// <summary>200 messages in 4 KiB segments, so the stream has several files.</summary>
    private async Task<StreamOptions> WriteSegmentsAsync()
    {
        var options = Options with { SegmentBytes = 4096 };
        await using FileMessageStore store = await OpenStoreAsync();
        IStreamStore stream = await store.OpenStreamAsync(options);
        for (int i = 0; i < 200; i++)
            await stream.AppendAsync(StreamStoreTests.Message($"m{i:D3}"));
        return options;
    }

    private async Task AssertReopensWithAsync(int messages)
    {
        await using FileMessageStore store = await OpenStoreAsync();
        IStreamStore stream = await store.OpenStreamAsync(Options);
        List<StoredMessage> read = await StreamStoreTests.ReadAllAsync(stream);
        Assert.Equal(Enumerable.Range(1, messages).Select(i => $"m{i:D2}"), read.Select(m => Encoding.UTF8.GetString(m.Payload.Span)));
        Assert.Equal((ulong)messages + 1, await stream.AppendAsync(StreamStoreTests.Message("next")));
    }

    [Fact]
    public async Task A_last_write_torn_mid_record_is_cut_off_on_open_and_everything_before_it_is_intact()
    {
        long record = await WriteTwentyAsync();
        using (var file = new FileStream(Segment, FileMode.Open))
            file.SetLength(file.Length - record / 2);

        await AssertReopensWithAsync(19);
    }

    [Fact]
    public async Task Garbage_at_the_tail_is_cut_off_on_open()
    {
        long record = await WriteTwentyAsync();
        byte[] garbage = new byte[300];
        new Random(16).NextBytes(garbage);
        await using (var file = new FileStream(Segment, FileMode.Append))
            await file.WriteAsync(garbage);

        await AssertReopensWithAsync(20);
        Assert.Equal(21 * record + 2, new FileInfo(Segment).Length);
    }

    [Fact]
    public async Task A_corrupt_record_in_the_middle_is_one_clear_error_naming_the_file_the_offset_and_what_to_do()
    {
        long record = await WriteTwentyAsync();
        byte[] bytes = await File.ReadAllBytesAsync(Segment);
        bytes[4 * record + 40] ^= 0xFF;
        await File.WriteAllBytesAsync(Segment, bytes);

        await using FileMessageStore store = await OpenStoreAsync();
        StoreCorruptException error = await Assert.ThrowsAsync<StoreCorruptException>(async () => await store.OpenStreamAsync(Options));

        Assert.Equal((Segment, 4 * record), (error.Path, error.Offset));
        Assert.Contains($"{Segment} is corrupt at byte offset {4 * record}", error.Message, StringComparison.Ordinal);
        Assert.Contains("Restore this stream's directory from a backup", error.Message, StringComparison.Ordinal);
        Assert.Contains($"truncate -s {4 * record}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_damaged_after_open_fails_its_read_with_the_same_error()
    {
        long record = await WriteTwentyAsync();
        await using FileMessageStore store = await OpenStoreAsync();
        IStreamStore stream = await store.OpenStreamAsync(Options);
        await using (var file = new FileStream(Segment, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Position = 2 * record + 40;
            file.WriteByte(0);
        }

        StoreCorruptException error = await Assert.ThrowsAsync<StoreCorruptException>(async () => await stream.ReadAsync(1, 20));

        Assert.Equal(2 * record, error.Offset);
    }

    [Fact]
    public async Task A_torn_segment_that_is_not_the_last_is_corruption_not_a_torn_write()
    {
        StreamOptions options = await WriteSegmentsAsync();
        using (var file = new FileStream(Segment, FileMode.Open))
            file.SetLength(file.Length - 7);

        await using FileMessageStore reopened = await OpenStoreAsync();
        StoreCorruptException error = await Assert.ThrowsAsync<StoreCorruptException>(async () => await reopened.OpenStreamAsync(options));
        Assert.Equal(Segment, error.Path);
    }

    [Fact]
    public async Task A_missing_segment_file_is_corruption_naming_the_file_after_the_gap()
    {
        StreamOptions options = await WriteSegmentsAsync();
        string[] segments = Directory.GetFiles(Path.GetDirectoryName(Segment)!, "*.seg").Order(StringComparer.Ordinal).ToArray();
        File.Delete(segments[1]);

        await using FileMessageStore reopened = await OpenStoreAsync();
        StoreCorruptException error = await Assert.ThrowsAsync<StoreCorruptException>(async () => await reopened.OpenStreamAsync(options));
        Assert.Equal(segments[2], error.Path);
        Assert.Contains("segment files are missing", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("always")]
    [InlineData("every50")]
    public async Task After_SIGKILL_mid_append_every_acknowledged_message_is_there_exactly_once_and_in_order(string fsync)
    {
        var acknowledged = new Dictionary<ulong, string>();
        using (var writer = new StoreWriterProcess(_directory.Path, fsync))
        {
            Assert.Equal("ready", await writer.ReadLineAsync(LineTimeout));
            while (acknowledged.Count < 3000 && await writer.ReadLineAsync(LineTimeout) is { } line)
            {
                string[] parts = line.Split(' ');
                acknowledged.Add(ulong.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), parts[2]);
            }
            await writer.KillAsync();
            Assert.True(acknowledged.Count >= 3000, $"the writer stopped after {acknowledged.Count} acknowledgements: {string.Join('\n', writer.Errors)}");
        }

        await AssertAcknowledgedAreStoredAsync(acknowledged);
    }

    [Fact]
    public async Task A_full_disk_fails_appends_with_a_typed_error_and_loses_nothing_stored()
    {
        var acknowledged = new Dictionary<ulong, string>();
        string? full = null;
        using (var writer = new StoreWriterProcess(_directory.Path, "always", segmentKib: 16 * 1024, fileLimitKib: 256))
        {
            while (await writer.ReadLineAsync(LineTimeout) is { } line)
            {
                if (line.StartsWith("ack ", StringComparison.Ordinal))
                    acknowledged.Add(ulong.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), line.Split(' ')[2]);
                else if (line.StartsWith("full ", StringComparison.Ordinal))
                    full ??= line;
            }
            Assert.Equal(0, await writer.WaitForExitAsync());
        }

        Assert.NotNull(full);
        Assert.Contains("StoreWriteException", full, StringComparison.Ordinal);
        Assert.Contains("no stored message is lost", full, StringComparison.Ordinal);
        Assert.True(acknowledged.Count > 1000, $"only {acknowledged.Count} appends before the limit");
        await AssertAcknowledgedAreStoredAsync(acknowledged);
    }

    private async Task AssertAcknowledgedAreStoredAsync(Dictionary<ulong, string> acknowledged)
    {
        await using FileMessageStore store = await OpenStoreAsync();
        IStreamStore stream = await store.OpenStreamAsync(Options);
        List<StoredMessage> stored = await StreamStoreTests.ReadAllAsync(stream);
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (ulong)i), stored.Select(m => m.Sequence));
        List<string> ids = stored.Select(m => Encoding.UTF8.GetString(m.Payload.Span)).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach ((ulong sequence, string id) in acknowledged)
            Assert.Equal(id, ids[(int)sequence - 1]);
        foreach (IGrouping<string, (int Appender, int N)> appender in ids.Select(Parse).GroupBy(p => p.Appender.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            Assert.Equal(Enumerable.Range(0, appender.Count()), appender.Select(p => p.N));
    }

    private static (int Appender, int N) Parse(string id)
    {
        string[] parts = id.Split(':');
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
