namespace Mq.Client.Connection;

internal sealed class PendingRequestCall(ulong id, string service)
{
    public ulong Id { get; } = id;

    public string Service { get; } = service;

    public TaskCompletionSource<MqReply> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
