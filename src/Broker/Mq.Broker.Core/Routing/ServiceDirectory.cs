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

    /// <summary>Every service served now, with its number of servers.</summary>
    public IEnumerable<(string Name, int Servers)> All => _services.Select(s => (s.Key, s.Value.Servers.Count));

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
    public bool TryPick(ReadOnlySpan<char> service, [NotNullWhen(true)] out string? name, [NotNullWhen(true)] out PeerSession? server)
    {
        if (!_lookup.TryGetValue(service, out name, out ServiceEntry? entry))
        {
            server = null;
            return false;
        }

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
    public bool TryGetServers(ReadOnlySpan<char> service, [NotNullWhen(true)] out string? name, [NotNullWhen(true)] out IReadOnlyList<PeerSession>? servers)
    {
        bool found = _lookup.TryGetValue(service, out name, out ServiceEntry? entry);
        servers = entry?.Servers;
        return found;
    }

    private sealed class ServiceEntry
    {
        public readonly List<PeerSession> Servers = [];
        public int Cursor;
    }
}
