using MessagePack;
using Mq.Client;
using Mq.Client.Connection;
using Mq.Protocol;

namespace Mq.UnitTests.Client;

public sealed class OutboxTests
{
    [Fact]
    public async Task Clear_drops_what_waits_and_the_outbox_takes_new_commands()
    {
        var outbox = new Outbox(1024, OutboxFullMode.Wait);
        Assert.True(await outbox.WriteAsync(static (ref MessagePackWriter w, in ulong sid) => CommandWriter.WriteUnsub(ref w, 1, sid), 7UL, CancellationToken.None));
        outbox.Clear();
        Assert.Equal(0, outbox.Pending);

        var frames = new List<ReadOnlyMemory<byte>>();
        Assert.False(outbox.TryTakeAll(frames));
        Assert.True(await outbox.WriteAsync(static (ref MessagePackWriter w, in ulong sid) => CommandWriter.WriteUnsub(ref w, 2, sid), 8UL, CancellationToken.None));
        Assert.True(outbox.TryTakeAll(frames));
        var reader = new CommandReader(frames.Single());
        Assert.Equal(CommandCode.Unsub, reader.ReadCommand());
        Assert.Equal(2UL, reader.ReadUInt());
    }

    [Fact]
    public async Task Clear_releases_a_writer_waiting_for_room()
    {
        var outbox = new Outbox(16, OutboxFullMode.Wait);
        await outbox.WriteAsync(static (ref MessagePackWriter w, in int _) => CommandWriter.WriteBye(ref w, "a reason longer than sixteen bytes"), 0, CancellationToken.None);
        ValueTask<bool> waiting = outbox.WriteAsync(static (ref MessagePackWriter w, in int _) => CommandWriter.WriteHeartbeat(ref w), 0, CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        outbox.Clear();
        Assert.True(await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
