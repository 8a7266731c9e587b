namespace Mq.Broker.Security;

/// <summary>The security policy file as written: identities and roles (see docs/security.md).</summary>
public sealed record PolicyDocument
{
    public IReadOnlyDictionary<string, PolicyUser> Users { get; init; } = new Dictionary<string, PolicyUser>();

    public IReadOnlyDictionary<string, PolicyRole> Roles { get; init; } = new Dictionary<string, PolicyRole>();
}
