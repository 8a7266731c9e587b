namespace Mq.Broker.Transport;

/// <summary>One connection's place in <see cref="ConnectionLimits"/>: where it comes from and whether it is still pending.</summary>
internal sealed class Admission(string source)
{
    public string Source { get; } = source;

    /// <summary>Changed only under the lock of the limits that admitted it.</summary>
    public AdmissionState State { get; set; } = AdmissionState.Pending;
}
