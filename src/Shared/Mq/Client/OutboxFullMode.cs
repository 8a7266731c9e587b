namespace Mq.Client;

/// <summary>What a publish does when the client's outbox is full (the broker is slow, or the connection is down).</summary>
public enum OutboxFullMode
{
    /// <summary>Wait for room (the caller's cancellation token still applies).</summary>
    Wait,
    /// <summary>Fail at once with an <see cref="Errors.MqException"/> whose code is <see cref="Protocol.ErrorCode.LimitExceeded"/>.</summary>
    Fail,
}
