using System.Diagnostics.CodeAnalysis;
using Mq.Broker.Sessions;

namespace Mq.Broker.Routing;

/// <summary>
/// Which peers serve which service, and the choice of server for each request: the one with the fewest
/// requests outstanding; among equals, the next in round-robin order, so idle servers share the load evenly.
/// </summary>
internal sealed class ServiceDirectory
{
    private readonly Dictionary<string, ServiceEntry> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServiceEntry>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public ServiceDirectory() => _lookup = _services.GetAlternateLookup<ReadOnlySpan<char>>();

    public int Count => _services.Count;

    /// <summary>Every service served now, with its number of servers and its statistics.</summary>
    public IEnumerable<(string Name, int Servers, ServiceStats Stats)> All => _services.Select(s => (s.Key, s.Value.Servers.Count, s.Value.Stats));

    public void Add(string service, PeerSession server)
    {
        if (!_services.TryGetValue(service, out ServiceEntry? entry))
        {
            entry = new ServiceEntry();
            _services.Add(service, entry);
        }

        entry.Servers.Add(server);
    }

    public void Remove(string service, PeerSession server)
    {
        if (_services.TryGetValue(service, out ServiceEntry? entry) && entry.Servers.Remove(server) && entry.Servers.Count == 0)
        {
            _services.Remove(service);
        }
    }

    /// <summary>Picks the server for the next request to <paramref name="service"/>; false if nobody serves it.</summary>
    public bool TryPick(ReadOnlySpan<char> service, [NotNullWhen(true)] out string? name, [NotNullWhen(true)] out PeerSession? server, [NotNullWhen(true)] out ServiceStats? stats)
    {
        if (!_lookup.TryGetValue(service, out name, out ServiceEntry? entry))
        {
            server = null;
            stats = null;
            return false;
        }

        stats = entry.Stats;
        List<PeerSession> servers = entry.Servers;
        PeerSession? best = null;
        int bestIndex = 0;
        for (int i = 0; i < servers.Count; i++)
        {
            int index = (entry.Cursor + i) % servers.Count;
            PeerSession candidate = servers[index];
            if (best is null || candidate.Outstanding < best.Outstanding)
            {
                best = candidate;
                bestIndex = index;
            }
        }

        entry.Cursor = (bestIndex + 1) % servers.Count;
        server = best!;
        return true;
    }

    /// <summary>Every server of <paramref name="service"/> (for scatter-gather); false if nobody serves it.</summary>
    public bool TryGetServers(ReadOnlySpan<char> service, [NotNullWhen(true)] out string? name, [NotNullWhen(true)] out IReadOnlyList<PeerSession>? servers, [NotNullWhen(true)] out ServiceStats? stats)
    {
        bool found = _lookup.TryGetValue(service, out name, out ServiceEntry? entry);
        servers = entry?.Servers;
        stats = entry?.Stats;
        return found;
    }

    private sealed class ServiceEntry
    {
        public readonly List<PeerSession> Servers = [];

        // Lives as long as the service has a server; requests still open when the last one left keep theirs.
        public readonly ServiceStats Stats = new();
        public int Cursor;
    }
}
