namespace Mq.Broker.Transport;

/// <summary>
/// Counts open connections and connections still in their handshake, broker-wide and per source address, and
/// admits a new connection only under every cap. A connection is pending from accept until the broker sent
/// WELCOME (or it closes).
/// </summary>
internal sealed class ConnectionLimits(TransportSettings settings)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (int Open, int Pending)> _bySource = new(StringComparer.Ordinal);
    private int _pending;
    private int _open;

    public int Open
    {
        get
        {
            lock (_lock)
            {
                return _open;
            }
        }
    }

    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _pending;
            }
        }
    }

    /// <summary>Counts a connection from <paramref name="source"/> in, as pending; or says which cap it is over and counts nothing.</summary>
    public Admission? TryAdmit(string source, out string? refusal)
    {
        refusal = null;
        lock (_lock)
        {
            (int open, int pending) = _bySource.GetValueOrDefault(source);
            if (_open >= settings.MaxConnections)
            {
                refusal = $"{_open} connections are open (MaxConnections)";
                return null;
            }

            if (_pending >= settings.MaxPendingHandshakes)
            {
                refusal = $"{_pending} connections are in their handshake (MaxPendingHandshakes)";
                return null;
            }

            if (pending >= settings.MaxPendingHandshakesPerSource)
            {
                refusal = $"{pending} connections from {source} are in their handshake (MaxPendingHandshakesPerSource)";
                return null;
            }

            if (open >= settings.MaxConnectionsPerSource)
            {
                refusal = $"{open} connections from {source} are open (MaxConnectionsPerSource)";
                return null;
            }

            _bySource[source] = (open + 1, pending + 1);
            _pending++;
            _open++;
            return new Admission(source);
        }
    }

    /// <summary>The connection's handshake ended well; it no longer counts as pending. Idempotent per connection.</summary>
    public void Established(Admission admission)
    {
        lock (_lock)
        {
            if (admission.State != AdmissionState.Pending)
            {
                return;
            }

            admission.State = AdmissionState.Established;
            (int open, int pending) = _bySource[admission.Source];
            _bySource[admission.Source] = (open, pending - 1);
            _pending--;
        }
    }

    /// <summary>The connection closed. Idempotent per connection.</summary>
    public void Release(Admission admission)
    {
        lock (_lock)
        {
            if (admission.State == AdmissionState.Released)
            {
                return;
            }

            (int open, int pending) = _bySource[admission.Source];
            if (admission.State == AdmissionState.Pending)
            {
                pending--;
                _pending--;
            }

            admission.State = AdmissionState.Released;
            _open--;
            if (open == 1)
            {
                _bySource.Remove(admission.Source);
            }
            else
            {
                _bySource[admission.Source] = (open - 1, pending);
            }
        }
    }
}
