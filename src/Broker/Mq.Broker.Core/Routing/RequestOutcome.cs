namespace Mq.Broker.Routing;

/// <summary>How a routed request ended, for the per-service statistics and the request-duration histogram.</summary>
internal enum RequestOutcome
{
    /// <summary>The server replied with success.</summary>
    Replied,

    /// <summary>The server replied with an error (remote error, overloaded) or its reply broke a limit.</summary>
    Error,

    /// <summary>The deadline passed first.</summary>
    Timeout,

    /// <summary>The server went away before replying.</summary>
    Lost,

    /// <summary>The requester cancelled or went away.</summary>
    Cancelled,
}
