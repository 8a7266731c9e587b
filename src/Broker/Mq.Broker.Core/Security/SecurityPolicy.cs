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

            identities.Add(name, new PolicyIdentity(name, user.PublicKey, ImportKey(path, name, user.PublicKey), new Permissions(roles)));
        }

        return new SecurityPolicy(identities);
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
