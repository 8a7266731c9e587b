namespace Mq.Broker.Security;

/// <summary>
/// Recent failed proofs of one source or one claimed identity, and its bucket of verifications: at most
/// <see cref="FailureTable.Burst"/> at once, refilled at one per backoff delay, which doubles with each failure.
/// </summary>
internal sealed class FailureRecord(string key, long now)
{
    public string Key { get; } = key;

    /// <summary>Failed proofs since the record was made; it is forgotten once quiet for <see cref="FailureTable.QuietMs"/>.</summary>
    public int Failures { get; private set; }

    public long LastFailure { get; private set; } = now;

    // The proof that made the record was verified while the key was clean, so the bucket starts one short.
    private double _tokens = FailureTable.Burst - 1;
    private long _lastRefill = now;

    /// <summary>The delay between two verifications once the bucket is empty: 250 ms after one failure, doubling, at most 8 s.</summary>
    public long BackoffMs => Failures > 16 ? FailureTable.MaxBackoffMs : Math.Min(FailureTable.FirstBackoffMs << (Failures - 1), FailureTable.MaxBackoffMs);

    /// <summary>True if a verification is available at <paramref name="now"/>.</summary>
    public bool HasToken(long now)
    {
        Refill(now);
        return _tokens >= 1;
    }

    /// <summary>Milliseconds until the next verification is available (after <see cref="HasToken"/> said false).</summary>
    public long MsToNextToken => (long)Math.Ceiling((1 - _tokens) * BackoffMs);

    public void Take() => _tokens--;

    public void Fail(long now)
    {
        // Refilled at the old rate up to now; the slower rate applies from this failure on.
        Refill(now);
        Failures++;
        LastFailure = now;
    }

    private void Refill(long now)
    {
        if (Failures > 0)
        {
            _tokens = Math.Min(FailureTable.Burst, _tokens + ((double)(now - _lastRefill) / BackoffMs));
        }

        _lastRefill = now;
    }
}
