namespace Mq.Broker.Security;

/// <summary>
/// An identity: its public key (base64 SubjectPublicKeyInfo, ECDSA P-256) for peers over TCP, the local processes
/// that are it over a Unix socket endpoint, or both; and its roles.
/// </summary>
public sealed record PolicyUser
{
    public string PublicKey { get; init; } = "";

    /// <summary>The local peers (by uid, gid, user or group) that are this identity on a Unix socket endpoint.</summary>
    public PolicyLocalPeer? Local { get; init; }

    public IReadOnlyList<string> Roles { get; init; } = [];
}
