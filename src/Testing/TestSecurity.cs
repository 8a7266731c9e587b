using System.Security.Cryptography;
using System.Text.Json;
using Mq.Broker.Security;
using Mq.Security;
using NetMQ;

namespace Mq.Testing;

/// <summary>
/// The keys and policy of a secured <see cref="TestBroker"/>, generated into a temporary folder that is deleted with
/// the broker: the broker's CURVE key pair, one ECDSA key pair per identity, and the policy file.
/// </summary>
public sealed class TestSecurity : IDisposable
{
    /// <summary>The kit's own identity, allowed to ask the broker's <c>$SYS.</c> services (quiet) and nothing else.</summary>
    public const string KitIdentity = "mq-testing";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private TestSecurity(string directory, string brokerPublicKey)
    {
        Directory = directory;
        BrokerPublicKey = brokerPublicKey;
    }

    /// <summary>The temporary folder holding every key and the policy.</summary>
    public string Directory { get; }

    /// <summary>The broker's secret key file (for Broker:Curve:SecretKeyFile).</summary>
    public string BrokerSecretKeyFile => Path.Combine(Directory, "broker.key");

    /// <summary>The broker's public key file (for <c>--broker-key @file</c>).</summary>
    public string BrokerPublicKeyFile => BrokerSecretKeyFile + CurveKeys.PublicKeySuffix;

    /// <summary>The broker's public key (z85) that peers pin.</summary>
    public string BrokerPublicKey { get; }

    /// <summary>The policy file; null when the broker runs without a policy (secure channel only).</summary>
    public string? PolicyFile { get; private set; }

    /// <summary>The private key file of <paramref name="identity"/> (its public key is beside it, with .pub).</summary>
    public string KeyFile(string identity) => Path.Combine(Directory, identity + ".key");

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }

    internal static TestSecurity Create(TestBrokerOptions options)
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("mq-testing-").FullName;
        var certificate = new NetMQCertificate();
        CurveKeys.WriteKeyPair(Path.Combine(directory, "broker.key"), certificate, overwrite: false);
        var security = new TestSecurity(directory, certificate.PublicKeyZ85);
        try
        {
            if (options.Identities.Count > 0)
            {
                security.WritePolicy(options);
            }

            return security;
        }
        catch
        {
            security.Dispose();
            throw;
        }
    }

    private void WritePolicy(TestBrokerOptions options)
    {
        var users = new Dictionary<string, PolicyUser>(StringComparer.Ordinal);
        foreach ((string identity, IReadOnlyList<string> roles) in options.Identities.Append(new(KitIdentity, [KitIdentity])))
        {
            foreach (string role in roles)
            {
                if (role != KitIdentity && !options.Roles.ContainsKey(role))
                {
                    throw new ArgumentException($"identity '{identity}' has role '{role}', which TestBrokerOptions.Roles does not define");
                }
            }

            users[identity] = new PolicyUser { PublicKey = WriteIdentityKey(KeyFile(identity)), Roles = roles };
        }

        var rolesWithKit = new Dictionary<string, PolicyRole>(options.Roles, StringComparer.Ordinal)
        {
            [KitIdentity] = new PolicyRole { Request = new PolicyRule { Allow = ["$SYS.>"] } },
        };
        PolicyFile = Path.Combine(Directory, "policy.json");
        File.WriteAllText(PolicyFile, JsonSerializer.Serialize(new PolicyDocument { Users = users, Roles = rolesWithKit }, Json));
    }

    /// <summary>Writes an identity's key pair as <c>Mq.Broker identity</c> does; returns the public key for the policy.</summary>
    private static string WriteIdentityKey(string path)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string publicKey = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        CurveKeys.WriteKeyFiles(path, key.ExportPkcs8PrivateKeyPem() + "\n", publicKey + "\n", overwrite: false);
        return publicKey;
    }
}
