namespace Mq.Client;

public sealed class ConnectionStateChangedEventArgs(ConnectionState state, string reason) : EventArgs
{
    public ConnectionState State { get; } = state;

    /// <summary>Why the state changed, for logs.</summary>
    public string Reason { get; } = reason;
}
