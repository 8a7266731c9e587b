namespace Mq.Broker.Server;

/// <summary>The broker could not listen on its endpoint (in use, bad address, no permission).</summary>
public sealed class BrokerBindException : Exception
{
    public BrokerBindException(string endpoint, Exception innerException)
        : base($"cannot listen on {endpoint}: {innerException.Message}", innerException) => Endpoint = endpoint;

    public BrokerBindException() : base("cannot listen") => Endpoint = "";

    public BrokerBindException(string message) : base(message) => Endpoint = "";

    public string Endpoint { get; }
}
