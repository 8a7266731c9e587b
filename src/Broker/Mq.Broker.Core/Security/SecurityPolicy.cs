using System.Security.Cryptography;
using System.Text.Json;
using Mq.Subjects;

namespace Mq.Broker.Security;

/// <summary>
/// The broker's security policy, loaded from its JSON file and checked whole: every identity with a valid
/// public key and known roles, every pattern valid. A broker with a policy denies everything it does not allow.
/// </summary>
internal sealed class SecurityPolicy
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = false,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    private readonly Dictionary<string, PolicyIdentity> _identities;

    private SecurityPolicy(Dictionary<string, PolicyIdentity> identities) => _identities = identities;

    public int Count => _identities.Count;

    public PolicyIdentity? Find(string identity) => _identities.GetValueOrDefault(identity);

    /// <summary>
    /// The identity a Unix socket peer is: the one whose <c>local</c> rule names its uid or user, else the one naming
    /// its gid or group. Null, with <paramref name="refusal"/> saying why, when none does, when two do at the same
    /// level (the policy must say which), or when the kernel gave no credentials.
    /// </summary>
    public PolicyIdentity? MapLocal(Transport.LocalPeer? peer, out string refusal)
    {
        refusal = "";
        if (peer is null)
        {
            refusal = "this local peer's credentials are unknown (SO_PEERCRED is read on Linux only), so no identity of the policy can be mapped to it";
            return null;
        }

        foreach (Func<PolicyLocalPeer, Transport.LocalPeer, bool> matches in new Func<PolicyLocalPeer, Transport.LocalPeer, bool>[] { (l, p) => l.MatchesUser(p), (l, p) => l.MatchesGroup(p) })
        {
            PolicyIdentity[] found = [.. _identities.Values.Where(i => i.Local is { } local && matches(local, peer))];
            if (found.Length == 1)
            {
                return found[0];
            }

            if (found.Length > 1)
            {
                refusal = $"local peer {peer.Describe()} is mapped to several identities ({string.Join(", ", found.Select(i => i.Name).Order(StringComparer.Ordinal))}); the policy must map it to one";
                return null;
            }
        }

        refusal = $"local peer {peer.Describe()} is mapped to no identity of the policy";
        return null;
    }

    /// <summary>Reads and checks the policy file; <see cref="InvalidDataException"/> names the first problem (never a key).</summary>
    public static SecurityPolicy Load(string path)
    {
        PolicyDocument document;
        try
        {
            document = JsonSerializer.Deserialize<PolicyDocument>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"security policy {path} is empty");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"security policy {path} is not valid: {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new InvalidDataException($"security policy {path} cannot be read: {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new InvalidDataException($"security policy {path} cannot be read: {ex.Message}", ex);
        }

        foreach ((string roleName, PolicyRole role) in document.Roles)
        {
            CheckRule(path, roleName, "publish", role.Publish, SubjectKind.Pattern);
            CheckRule(path, roleName, "subscribe", role.Subscribe, SubjectKind.Pattern);
            CheckRule(path, roleName, "serve", role.Serve, SubjectKind.Pattern);
            CheckRule(path, roleName, "request", role.Request, SubjectKind.Pattern);
            CheckRule(path, roleName, "flowControl", role.FlowControl, SubjectKind.Pattern);
        }

        var identities = new Dictionary<string, PolicyIdentity>(StringComparer.Ordinal);
        foreach ((string name, PolicyUser user) in document.Users)
        {
            if (name.Length == 0 || name.Any(char.IsControl))
            {
                throw new InvalidDataException($"security policy {path}: identity names must be non-empty, without control characters");
            }

            var roles = new List<PolicyRole>();
            foreach (string roleName in user.Roles)
            {
                roles.Add(document.Roles.GetValueOrDefault(roleName)
                    ?? throw new InvalidDataException($"security policy {path}: identity '{name}' names unknown role '{roleName}'"));
            }

            bool local = user.Local is { IsEmpty: false };
            if (!local && user.PublicKey.Length == 0)
            {
                throw new InvalidDataException($"security policy {path}: identity '{name}' needs a publicKey, a local rule (uids, users, gids, groups), or both");
            }

            ECDsa? key = user.PublicKey.Length == 0 ? null : ImportKey(path, name, user.PublicKey);
            identities.Add(name, new PolicyIdentity(name, user.PublicKey, key, new Permissions(roles), local ? user.Local : null));
        }

        CheckLocalOverlap(path, identities.Values);
        return new SecurityPolicy(identities);
    }

    /// <summary>A uid, gid, user or group named by two identities would make every such peer ambiguous: refused at load.</summary>
    private static void CheckLocalOverlap(string path, IEnumerable<PolicyIdentity> identities)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (PolicyIdentity identity in identities)
        {
            if (identity.Local is not { } local)
            {
                continue;
            }

            IEnumerable<string> names = local.Uids.Select(u => $"uid {u}").Concat(local.Users.Select(u => $"user '{u}'"))
                .Concat(local.Gids.Select(g => $"gid {g}")).Concat(local.Groups.Select(g => $"group '{g}'"));
            foreach (string name in names.Distinct(StringComparer.Ordinal))
            {
                if (seen.TryGetValue(name, out string? other))
                {
                    throw new InvalidDataException($"security policy {path}: {name} is mapped to both '{other}' and '{identity.Name}'; a local peer must be one identity");
                }

                seen[name] = identity.Name;
            }
        }
    }

    private static ECDsa ImportKey(string path, string identity, string base64)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(base64), out _);
            if (key.KeySize != 256)
            {
                throw new CryptographicException("not a P-256 key");
            }

            return key;
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidDataException($"security policy {path}: identity '{identity}' has no valid ECDSA P-256 public key (base64 SubjectPublicKeyInfo, as `Mq.Broker identity` prints)", ex);
        }
    }

    private static void CheckRule(string path, string role, string operation, PolicyRule rule, SubjectKind kind)
    {
        foreach (string pattern in rule.Allow.Concat(rule.Deny))
        {
            if (Subject.Validate(pattern, kind) is { } error)
            {
                throw new InvalidDataException($"security policy {path}: role '{role}' {operation} pattern '{pattern}': {error}");
            }
        }
    }
}
