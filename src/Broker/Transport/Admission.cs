namespace Mq.Broker.Transport;

/// <summary>Where a connection stands in <see cref="ConnectionLimits"/>; changed only under its lock.</summary>
internal enum Admission
{
    Pending,
    Established,
    Released,
}
