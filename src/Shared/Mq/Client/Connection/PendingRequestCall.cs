using System.Threading.Channels;

namespace Mq.Client.Connection;

/// <summary>
/// A request waiting for its REPLY. A streamed one also queues the parts that come before it: the broker lets the
/// server send at most the window unread, so the queue needs no bound of its own.
/// </summary>
internal sealed class PendingRequestCall(ulong id, string service, TimeSpan timeout, bool streamed)
{
    private long _deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;

    public ulong Id { get; } = id;

    public string Service { get; } = service;

    public TimeSpan Timeout { get; } = timeout;

    /// <summary>When the caller stops waiting, in Environment.TickCount64 milliseconds; a stream moves it on with every part.</summary>
    public long Deadline => Volatile.Read(ref _deadline);

    /// <summary>The same words whether the broker or this client noticed the deadline first.</summary>
    public string TimedOut => $"no reply from '{Service}' within {Timeout.TotalMilliseconds:0} ms";

    public TaskCompletionSource<MqReply> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The parts of a streamed reply, completed when the final reply (or the failure) is set; null for one reply.</summary>
    public Channel<MqReply>? Parts { get; } = streamed ? Channel.CreateUnbounded<MqReply>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true }) : null;

    /// <summary>Socket thread: a part arrived, so the stream's idle deadline starts again.</summary>
    public void Deliver(MqReply part)
    {
        Volatile.Write(ref _deadline, Environment.TickCount64 + (long)Timeout.TotalMilliseconds);
        Parts?.Writer.TryWrite(part);
    }

    public void Finish(MqReply reply)
    {
        Completion.TrySetResult(reply);
        Parts?.Writer.TryComplete();
    }

    public void Fail(Exception error)
    {
        Completion.TrySetException(error);
        Parts?.Writer.TryComplete();
    }
}
