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

    /// <summary>Counts the connection in, as pending; or says which cap it is over and counts nothing.</summary>
    public string? TryAdmit(string source)
    {
        lock (_lock)
        {
            (int open, int pending) = _bySource.GetValueOrDefault(source);
            if (_pending >= settings.MaxPendingHandshakes)
            {
                return $"{_pending} connections are in their handshake (MaxPendingHandshakes)";
            }

            if (pending >= settings.MaxPendingHandshakesPerSource)
            {
                return $"{pending} connections from {source} are in their handshake (MaxPendingHandshakesPerSource)";
            }

            if (open >= settings.MaxConnectionsPerSource)
            {
                return $"{open} connections from {source} are open (MaxConnectionsPerSource)";
            }

            _bySource[source] = (open + 1, pending + 1);
            _pending++;
            _open++;
            return null;
        }
    }

    /// <summary>The connection's handshake ended well; it no longer counts as pending. Idempotent per connection.</summary>
    public void Established(ZmtpConnection connection)
    {
        lock (_lock)
        {
            if (connection.Admission != Admission.Pending)
            {
                return;
            }

            connection.Admission = Admission.Established;
            (int open, int pending) = _bySource[connection.Source];
            _bySource[connection.Source] = (open, pending - 1);
            _pending--;
        }
    }

    /// <summary>The connection closed. Idempotent per connection.</summary>
    public void Release(ZmtpConnection connection)
    {
        lock (_lock)
        {
            if (connection.Admission == Admission.Released)
            {
                return;
            }

            (int open, int pending) = _bySource[connection.Source];
            if (connection.Admission == Admission.Pending)
            {
                pending--;
                _pending--;
            }

            connection.Admission = Admission.Released;
            _open--;
            if (open == 1)
            {
                _bySource.Remove(connection.Source);
            }
            else
            {
                _bySource[connection.Source] = (open - 1, pending);
            }
        }
    }
}
