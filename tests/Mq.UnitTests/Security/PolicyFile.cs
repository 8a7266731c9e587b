using System.Security.Cryptography;
using System.Text.Json;

namespace Mq.UnitTests.Security;

/// <summary>
/// A security policy written to a temporary file, with fresh keys: "trusted" may do everything under
/// <c>orders</c> and serve <c>billing.*</c>; "guest" may publish and subscribe under <c>public</c> only, and
/// request <c>billing.quote</c>. Deleted on dispose.
/// </summary>
internal sealed class PolicyFile : IDisposable
{
    private readonly Dictionary<string, ECDsa> _keys = new(StringComparer.Ordinal)
    {
        ["trusted"] = ECDsa.Create(ECCurve.NamedCurves.nistP256),
        ["guest"] = ECDsa.Create(ECCurve.NamedCurves.nistP256),
    };

    public PolicyFile() => Write(GuestRole());

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mq-policy-{Guid.NewGuid():N}.json");

    public ECDsa Key(string identity) => _keys[identity];

    public static object GuestRole(params string[] subscribe) => new
    {
        publish = new { allow = new[] { "public.>" } },
        subscribe = new { allow = subscribe.Length > 0 ? subscribe : ["public.>"] },
        request = new { allow = new[] { "billing.quote" } },
    };

    /// <summary>Writes the policy with <paramref name="guest"/> as the guest role; the trusted role stays.</summary>
    public void Write(object guest, bool withGuest = true)
    {
        var users = new Dictionary<string, object> { ["trusted"] = User("trusted", "trusted") };
        if (withGuest)
        {
            users["guest"] = User("guest", "guest");
        }

        var document = new
        {
            users,
            roles = new Dictionary<string, object>
            {
                ["trusted"] = new
                {
                    publish = new { allow = new[] { "orders.>", "public.>" } },
                    subscribe = new { allow = new[] { "orders.>", "public.>" } },
                    serve = new { allow = new[] { "billing.*" } },
                    request = new { allow = new[] { ">" } },
                },
                ["guest"] = guest,
            },
        };
        File.WriteAllText(Path, JsonSerializer.Serialize(document));

        // A later write in the same second must still look changed to a broker polling the modification time.
        File.SetLastWriteTimeUtc(Path, DateTime.UtcNow.AddSeconds(_writes++));
    }

    public void Dispose()
    {
        File.Delete(Path);
        foreach (ECDsa key in _keys.Values)
        {
            key.Dispose();
        }
    }

    private int _writes;

    private object User(string identity, string role) => new
    {
        publicKey = Convert.ToBase64String(_keys[identity].ExportSubjectPublicKeyInfo()),
        roles = new[] { role },
    };
}
