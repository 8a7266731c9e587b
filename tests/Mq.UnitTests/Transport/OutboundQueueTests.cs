using Mq.Broker.Server;
using Mq.Broker.Transport;

namespace Mq.UnitTests.Transport;

/// <summary>A connection's outbound queue: bounded in bytes, ZMTP-framed, taken in batches.</summary>
public sealed class OutboundQueueTests
{
    [Fact]
    public async Task Frames_are_framed_short_or_long_and_taken_together()
    {
        using var queue = new OutboundQueue(64 * 1024);
        Assert.Equal(SendOutcome.Sent, queue.AppendFrame([1, 2, 3]));
        Assert.Equal(SendOutcome.Sent, queue.AppendFrame(new byte[300]));

        ReadOnlyMemory<byte> batch = await queue.TakeAsync(CancellationToken.None);
        Assert.Equal(2 + 3 + 9 + 300, batch.Length);
        Assert.Equal(new byte[] { 0, 3, 1, 2, 3 }, batch[..5].ToArray());
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0, 0, 0, 1, 44 }, batch.Slice(5, 9).ToArray());
        Assert.Equal(batch.Length, queue.QueuedBytes);
        queue.Written();
        Assert.Equal(0, queue.QueuedBytes);
    }

    [Fact]
    public async Task Past_the_bound_frames_are_refused_until_what_was_taken_is_written()
    {
        using var queue = new OutboundQueue(64 * 1024);
        byte[] frame = new byte[30 * 1024];
        Assert.Equal(SendOutcome.Sent, queue.AppendFrame(frame));
        Assert.Equal(SendOutcome.Sent, queue.AppendFrame(frame));
        Assert.Equal(SendOutcome.QueueFull, queue.AppendFrame(frame));

        // Taken but not yet written still counts: the socket has not accepted it.
        await queue.TakeAsync(CancellationToken.None);
        Assert.Equal(SendOutcome.QueueFull, queue.AppendFrame(frame));
        queue.Written();
        Assert.Equal(SendOutcome.Sent, queue.AppendFrame(frame));
    }

    [Fact]
    public void A_frame_larger_than_the_bound_passes_alone()
    {
        using var queue = new OutboundQueue(64 * 1024);
        Assert.Equal(SendOutcome.Sent, queue.AppendFrame(new byte[1024 * 1024]));
        Assert.Equal(SendOutcome.QueueFull, queue.AppendFrame([1]));
    }

    [Fact]
    public async Task A_waiting_writer_is_woken_by_an_append_and_a_closed_queue_ends_with_an_empty_batch()
    {
        using var queue = new OutboundQueue(64 * 1024);
        ValueTask<ReadOnlyMemory<byte>> waiting = queue.TakeAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        queue.AppendRaw([9, 9]);
        Assert.Equal(new byte[] { 9, 9 }, (await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(5))).ToArray());
        queue.Written();

        queue.Close();
        Assert.True((await queue.TakeAsync(CancellationToken.None)).IsEmpty);
        Assert.Equal(SendOutcome.PeerGone, queue.AppendFrame([1]));
    }

    [Fact]
    public async Task The_broker_thread_sends_inline_only_while_the_writer_is_idle_and_the_writer_sends_what_the_socket_left()
    {
        using var queue = new OutboundQueue(64 * 1024);
        queue.AppendFrame([1, 2, 3]);
        Assert.True(queue.TakeInline().IsEmpty, "the writer is not idle yet: it takes this itself");
        Assert.Equal(5, (await queue.TakeAsync(CancellationToken.None)).Length);
        queue.Written();

        ValueTask<ReadOnlyMemory<byte>> idle = queue.TakeAsync(CancellationToken.None);
        queue.AppendFrame([4, 5, 6]);
        Assert.Equal(new byte[] { 0, 3, 4, 5, 6 }, queue.TakeInline().ToArray());
        Assert.False(idle.IsCompleted);
        queue.InlineSent(3);

        Assert.Equal(new byte[] { 5, 6 }, (await idle.AsTask().WaitAsync(TimeSpan.FromSeconds(5))).ToArray());
        Assert.Equal(2, queue.QueuedBytes);
    }
}
