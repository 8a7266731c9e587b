namespace Mq.Broker.Security;

/// <summary>Recent failed proofs of one source or one claimed identity, and when it may next have a proof verified.</summary>
internal sealed class FailureRecord(string key)
{
    public string Key { get; } = key;

    /// <summary>Failed proofs since the record was made; it is forgotten once quiet for <see cref="FailureTable.QuietMs"/>.</summary>
    public int Failures { get; set; }

    public long LastFailure { get; set; }

    /// <summary>Before this time (ms) no proof of this key is verified: the backoff after its last failure.</summary>
    public long NextVerification { get; set; }
}
