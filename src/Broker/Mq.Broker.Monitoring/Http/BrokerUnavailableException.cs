namespace Mq.Broker.Monitoring.Http;

/// <summary>The broker cannot answer now (stopped, stopping, or its thread is stuck): the endpoint says 503 with the reason.</summary>
internal sealed class BrokerUnavailableException(string reason) : Exception(reason);
