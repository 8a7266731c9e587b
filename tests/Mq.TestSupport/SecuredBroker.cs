using System.Text.Json;
using Mq.Testing;

namespace Mq.TestSupport;

/// <summary>
/// A broker process with its key (made by the real <c>Mq.Broker keygen</c>: a policy needs the secure channel), a
/// security policy and two identities made by the real <c>Mq.Broker identity</c>:
/// "trusted" (role "service": everything, serves <c>billing.*</c>) and "guest" (publishes under <c>public</c>,
/// subscribes to what <see cref="WritePolicyAsync"/> says, may request <c>billing.quote</c>). Keys and policy live
/// in a temporary folder, deleted with the broker.
/// </summary>
public sealed class SecuredBroker : IAsyncDisposable
{
    private readonly Dictionary<string, string> _publicKeys = new(StringComparer.Ordinal);
    private PeerProcess? _process;
    private int _writes;

    private SecuredBroker()
    {
    }

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("mq-security-").FullName;

    public string Endpoint { get; private set; } = "";

    public PeerProcess Process => _process!;

    public string PolicyPath => Path.Combine(Directory, "policy.json");

    /// <summary>The broker's public key file, for <c>--broker-key @file</c>.</summary>
    public string BrokerKeyFile => Path.Combine(Directory, "broker.key.pub");

    /// <summary>The broker's public key (z85), for <c>BrokerPublicKey</c>.</summary>
    public string BrokerPublicKey { get; private set; } = "";

    public static async Task<SecuredBroker> StartAsync(params string[] extraArguments)
    {
        var broker = new SecuredBroker();
        try
        {
            foreach (string identity in new[] { "trusted", "guest" })
            {
                broker._publicKeys[identity] = await KeygenAsync("identity", broker.KeyFile(identity));
            }

            string secretKeyFile = Path.Combine(broker.Directory, "broker.key");
            broker.BrokerPublicKey = await KeygenAsync("keygen", secretKeyFile);
            await broker.WritePolicyAsync("public.>");
            (broker._process, broker.Endpoint) = await BrokerProcess.StartAsync(
                "tcp://127.0.0.1:0", [$"--Broker:PolicyFile={broker.PolicyPath}", $"--Broker:Curve:SecretKeyFile={secretKeyFile}", .. extraArguments]);
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>The private key file of <paramref name="identity"/> (its public key is beside it, with .pub).</summary>
    public string KeyFile(string identity) => Path.Combine(Directory, $"{identity}.key");

    /// <summary>
    /// (Re)writes the policy; a running broker applies it to live peers within about a second. The guest may ask
    /// for flow control only on patterns inside <paramref name="guestFlowControl"/>, if given.
    /// </summary>
    public async Task WritePolicyAsync(string guestSubscribes, string? guestFlowControl = null)
    {
        var guest = new Dictionary<string, object>
        {
            ["publish"] = new { allow = new[] { "public.>" } },
            ["subscribe"] = new { allow = new[] { guestSubscribes } },
            ["request"] = new { allow = new[] { "billing.quote" } },
        };
        if (guestFlowControl is not null)
        {
            guest["flowControl"] = new { allow = new[] { guestFlowControl } };
        }

        var policy = new
        {
            users = new Dictionary<string, object>
            {
                ["trusted"] = new { publicKey = _publicKeys["trusted"], roles = new[] { "service" } },
                ["guest"] = new { publicKey = _publicKeys["guest"], roles = new[] { "guest" } },
            },
            roles = new Dictionary<string, object>
            {
                ["service"] = new
                {
                    publish = new { allow = new[] { ">" } },
                    subscribe = new { allow = new[] { ">" } },
                    serve = new { allow = new[] { "billing.*" } },
                    request = new { allow = new[] { ">" } },
                    flowControl = new { allow = new[] { ">" } },
                },
                ["guest"] = guest,
            },
        };
        await File.WriteAllTextAsync(PolicyPath, JsonSerializer.Serialize(policy));

        // Edits within the same second as the previous write must still be seen as changes.
        File.SetLastWriteTimeUtc(PolicyPath, DateTime.UtcNow.AddSeconds(_writes++));
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>Runs the real key generator (<c>keygen</c> for the broker key, <c>identity</c> for an identity); returns the public key it printed.</summary>
    private static async Task<string> KeygenAsync(string command, string keyFile)
    {
        await using PeerProcess keygen = PeerProcess.Start("Mq.Broker", [command, "--out", keyFile]);
        if (await keygen.WaitForExitAsync(TimeSpan.FromSeconds(30)) != 0)
        {
            throw new InvalidOperationException($"Mq.Broker {command} failed:\n{keygen.Output}");
        }

        return keygen.StandardOutput.Single();
    }
}
