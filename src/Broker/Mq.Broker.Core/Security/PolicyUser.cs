namespace Mq.Broker.Security;

/// <summary>An identity: its public key (base64 SubjectPublicKeyInfo, ECDSA P-256) and its roles.</summary>
public sealed record PolicyUser
{
    public string PublicKey { get; init; } = "";

    public IReadOnlyList<string> Roles { get; init; } = [];
}
