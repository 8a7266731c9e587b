namespace Mq.Broker.Transport;

internal enum AdmissionState
{
    Pending,
    Established,
    Released,
}
