using Mq.Broker.Persistence;
using Mq.Broker.Server;
using Mq.Broker.Streams;

namespace Mq.UnitTests.Streams;

public sealed class StreamOptionsTests
{
    [Fact]
    public void Valid_streams_pass()
    {
        var options = new BrokerOptions { StoreDirectory = "/var/lib/mq" };
        options.Streams["orders"] = new BrokerStreamOptions { Subjects = ["orders.>"], MaxAge = TimeSpan.FromDays(1), FsyncEveryMs = 20 };
        options.Streams["audit"] = new BrokerStreamOptions { Subjects = ["audit.*"], Storage = StreamStorage.Memory, Discard = DiscardPolicy.New, MaxBytes = 1 << 20 };

        Assert.Empty(options.Validate());
    }

    [Theory]
    [InlineData("bad name", "orders.>", "Broker:Streams:bad name: a stream name is 1 to 128 letters, digits, '-' or '_'")]
    [InlineData("orders", "orders..x", "Broker:Streams:orders:Subjects 'orders..x': ")]
    [InlineData("orders", "$SYS.>", "Broker:Streams:orders:Subjects '$SYS.>': subjects under $SYS. are the broker's and cannot be captured")]
    public void A_bad_name_or_subject_is_named(string name, string subject, string problem)
    {
        var options = new BrokerOptions { StoreDirectory = "/var/lib/mq" };
        options.Streams[name] = new BrokerStreamOptions { Subjects = [subject] };

        Assert.StartsWith(problem, Assert.Single(options.Validate()), StringComparison.Ordinal);
    }

    [Fact]
    public void Each_bad_limit_is_one_problem()
    {
        var options = new BrokerOptions { StoreDirectory = "/var/lib/mq" };
        options.Streams["orders"] = new BrokerStreamOptions { Subjects = [], MaxMessages = 0, MaxBytes = -1, MaxAge = TimeSpan.Zero, FsyncEveryMs = 0, DuplicateWindow = TimeSpan.FromDays(2) };

        Assert.Equal(
        [
            "Broker:Streams:orders:Subjects is empty: list the subject patterns the stream captures (Broker:Streams:orders:Subjects:0 = orders.>)",
            "Broker:Streams:orders:MaxMessages is 0: a limit is at least 1 (leave it out for none)",
            "Broker:Streams:orders:MaxBytes is -1: a limit is at least 1 (leave it out for none)",
            "Broker:Streams:orders:MaxAge is 00:00:00: an age limit is positive (leave it out for none)",
            "Broker:Streams:orders:FsyncEveryMs is 0: between 1 and 60000 ms (leave it out to fsync before each acknowledgement)",
            "Broker:Streams:orders:DuplicateWindow is 2.00:00:00: between 00:00:00 (no duplicate detection) and 1.00:00:00",
        ], options.Validate());
    }

    [Fact]
    public void Two_streams_may_not_capture_the_same_subject_and_file_streams_need_a_store_directory()
    {
        var options = new BrokerOptions();
        options.Streams["all"] = new BrokerStreamOptions { Subjects = ["orders.>"], Storage = StreamStorage.Memory };
        options.Streams["eu"] = new BrokerStreamOptions { Subjects = ["*.eu"] };

        Assert.Equal(
        [
            "Broker:Streams:eu keeps its messages in files: set Broker:StoreDirectory (or Storage = Memory)",
            "Broker:Streams:eu captures '*.eu', which stream all captures too ('orders.>'): a subject belongs to one stream at most",
        ], options.Validate());
    }

    [Fact]
    public void The_store_settings_follow_the_stream_settings()
    {
        StreamOptions store = new BrokerStreamOptions { Subjects = ["x"], MaxMessages = 5, Discard = DiscardPolicy.New, FsyncEveryMs = 10 }.ToStore("x");

        Assert.Equal("x", store.Name);
        Assert.Equal(5, store.Limits.MaxMessages);
        Assert.Equal(DiscardPolicy.New, store.Limits.Discard);
        Assert.Equal(TimeSpan.FromMilliseconds(10), store.Fsync.Interval);
        Assert.Equal(FsyncPolicy.Always, new BrokerStreamOptions().ToStore("y").Fsync);
    }

    [Theory]
    [InlineData(new byte[] { 0xc0 }, null)]
    [InlineData(new byte[] { 0x81, 0xa9, (byte)'m', (byte)'q', (byte)'-', (byte)'m', (byte)'s', (byte)'g', (byte)'-', (byte)'i', (byte)'d', 0xa2, (byte)'a', (byte)'1' }, "a1")]
    [InlineData(new byte[] { 0x81, 0xa1, (byte)'x', 0xa1, (byte)'y' }, null)]
    [InlineData(new byte[] { 0x81, 0xa1 }, null)]
    public void The_message_id_is_read_from_the_raw_headers(byte[] headers, string? id) =>
        Assert.Equal(id, StreamHost.MessageId(headers));
}
