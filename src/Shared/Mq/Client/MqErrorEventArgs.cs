using Mq.Errors;

namespace Mq.Client;

/// <summary>An error the broker reported for a command that has no caller waiting (a publish, a restored subscription).</summary>
public sealed class MqErrorEventArgs(MqException error) : EventArgs
{
    public MqException Error { get; } = error;
}
