using System.Security.Cryptography;

namespace Mq.Broker.Security;

/// <summary>
/// A known identity, compiled: the key its proofs are checked with (none for an identity only local peers have),
/// the local peers that are it, and its merged permissions.
/// </summary>
internal sealed class PolicyIdentity(string name, string publicKeyText, ECDsa? key, Permissions permissions, PolicyLocalPeer? local = null)
{
    public string Name { get; } = name;

    /// <summary>As written in the policy: a reload that changes it ends the identity's sessions.</summary>
    public string PublicKeyText { get; } = publicKeyText;

    public ECDsa? Key { get; } = key;

    public PolicyLocalPeer? Local { get; } = local;

    public Permissions Permissions { get; } = permissions;
}
