namespace Mq.Client.Connection;

internal sealed class PendingRequestCall(ulong id, string service, TimeSpan timeout)
{
    public ulong Id { get; } = id;

    public string Service { get; } = service;

    public TimeSpan Timeout { get; } = timeout;

    /// <summary>When the caller stops waiting, in Environment.TickCount64 milliseconds.</summary>
    public long Deadline { get; } = Environment.TickCount64 + (long)timeout.TotalMilliseconds;

    /// <summary>The same words whether the broker or this client noticed the deadline first.</summary>
    public string TimedOut => $"no reply from '{Service}' within {Timeout.TotalMilliseconds:0} ms";

    public TaskCompletionSource<MqReply> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
