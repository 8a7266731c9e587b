namespace Mq.Broker.Security;

/// <summary>
/// Which local processes, connected through a Unix socket endpoint, are an identity: by the uid or gid the kernel
/// reports for the peer (SO_PEERCRED, and SO_PEERGROUPS for its supplementary groups), or by the user or group name
/// the system gives them. A match by user (uid or name) wins over a match by group, primary or supplementary.
/// </summary>
public sealed record PolicyLocalPeer
{
    public IReadOnlyList<uint> Uids { get; init; } = [];

    public IReadOnlyList<string> Users { get; init; } = [];

    public IReadOnlyList<uint> Gids { get; init; } = [];

    public IReadOnlyList<string> Groups { get; init; } = [];

    internal bool IsEmpty => Uids.Count == 0 && Users.Count == 0 && Gids.Count == 0 && Groups.Count == 0;

    internal bool MatchesUser(Transport.LocalPeer peer) => Uids.Contains(peer.Uid) || (peer.User is { } user && Users.Contains(user, StringComparer.Ordinal));

    internal bool MatchesGroup(Transport.LocalPeer peer) =>
        Gids.Contains(peer.Gid) || peer.SupplementaryGids.Any(Gids.Contains)
        || (peer.Group is { } group && Groups.Contains(group, StringComparer.Ordinal))
        || peer.SupplementaryGroups.Any(name => Groups.Contains(name, StringComparer.Ordinal));
}
