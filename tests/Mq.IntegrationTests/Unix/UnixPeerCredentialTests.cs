using MessagePack;
using Mq.Broker.Server;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;

namespace Mq.IntegrationTests.Unix;

/// <summary>
/// Peer authentication on a Unix socket endpoint: the policy maps the kernel's credentials of the test process
/// (its own uid and gid, from SO_PEERCRED) to an identity, which gets in without a key and has its role's rights
/// only; a process the policy does not map is refused at HELLO. A broker with only Unix endpoints needs no key.
/// </summary>
public sealed class UnixPeerCredentialTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mq-unix-cred-");
    private string? _policy;

    private string UnixEndpoint => "unix://" + Path.Combine(_directory.FullName, "broker.sock");

    public void Dispose() => _directory.Delete(recursive: true);

    [Theory]
    [InlineData("uids")]
    [InlineData("users")]
    [InlineData("gids")]
    [InlineData("groups")]
    public async Task A_local_peer_mapped_by_its_credentials_gets_its_identity_and_only_its_roles_rights(string by)
    {
        (uint uid, uint gid) = Mq.Broker.Transport.UnixAccounts.Current;
        string rule = by switch
        {
            "uids" => $"[{uid}]",
            "users" => $"[\"{Mq.Broker.Transport.UnixAccounts.UserName(uid)}\"]",
            "gids" => $"[{gid}]",
            _ => $"[\"{Mq.Broker.Transport.UnixAccounts.GroupName(gid)}\"]",
        };
        await using InProcessBroker broker = await StartAsync($$"""{ "local": { "{{by}}": {{rule}} }, "roles": ["writer"] }""");

        using RawZmtp peer = await RawZmtp.ConnectAsync(UnixEndpoint);
        ReceivedCommand welcome = await peer.HelloAsync("local-writer", Bound);
        Assert.Equal(CommandCode.Welcome, welcome.Code);
        CommandReader reader = welcome.Reader();
        reader.ReadUInt();
        reader.ReadString(128);
        Assert.Equal("me", reader.ReadSettings()["identity"]);

        // Allowed: its own subject, which it also reads back. Denied: a subject its role does not name.
        await peer.SendMqAsync((ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 1, 1, "allowed.>", null));
        await peer.ExpectAsync(CommandCode.Ok, Bound);
        await peer.SendMqAsync((ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "secret.plans", null, [1]));
        Assert.Contains("secret.plans", ErrorMessage(await peer.ExpectAsync(CommandCode.Error, Bound), ErrorCode.PermissionDenied));
        await peer.SendMqAsync((ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "allowed.news", null, [2]));
        CommandReader msg = (await peer.ExpectAsync(CommandCode.Msg, Bound)).Reader();
        msg.ReadUInt();
        msg.ReadUInt();
        Assert.Equal("allowed.news", msg.ReadString(256));
    }

    [Fact]
    public async Task A_local_peer_the_policy_does_not_map_is_refused_at_hello_and_cannot_open_a_secure_channel_instead()
    {
        // Uid 4000000 is nobody on a test machine: the policy names someone else.
        await using InProcessBroker broker = await StartAsync("""{ "local": { "uids": [4000000] }, "roles": ["writer"] }""");
        using RawZmtp peer = await RawZmtp.ConnectAsync(UnixEndpoint);
        ReceivedCommand answer = await peer.HelloAsync("stranger", Bound);
        Assert.Equal(CommandCode.Error, answer.Code);
        Assert.Contains("is mapped to no identity of the policy", ErrorMessage(answer, ErrorCode.Unauthenticated));

        await peer.SendMqAsync((ref MessagePackWriter w) => CommandWriter.WriteSecure(ref w, new byte[48]));
        Assert.Contains("not offered on a unix endpoint", ErrorMessage(await peer.ExpectAsync(CommandCode.Error, Bound), ErrorCode.UnknownCommand));

        await peer.SendMqAsync((ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "allowed.news", null, [1]));
        ErrorMessage(await peer.ExpectAsync(CommandCode.Error, Bound), ErrorCode.HandshakeRequired);
    }

    [Fact]
    public async Task An_edit_that_maps_the_local_peer_elsewhere_ends_its_session_with_bye()
    {
        uint uid = Mq.Broker.Transport.UnixAccounts.Current.Uid;
        await using InProcessBroker broker = await StartAsync($$"""{ "local": { "uids": [{{uid}}] }, "roles": ["writer"] }""");
        using RawZmtp peer = await RawZmtp.ConnectAsync(UnixEndpoint);
        Assert.Equal(CommandCode.Welcome, (await peer.HelloAsync("soon-gone", Bound)).Code);

        string policy = _policy!;
        await File.WriteAllTextAsync(policy, (await File.ReadAllTextAsync(policy)).Replace($"[{uid}]", "[4000000]", StringComparison.Ordinal));
        // The watcher compares modification times; a coarse clock must not hide the edit.
        File.SetLastWriteTimeUtc(policy, DateTime.UtcNow.AddSeconds(5));

        CommandReader bye = (await peer.ExpectAsync(CommandCode.Bye, Bound)).Reader();
        Assert.Contains("the credentials of identity 'me' were revoked", bye.ReadString(1024));
        (TimeSpan elapsed, _) = await peer.ReadUntilClosedAsync(Bound);
        Assert.True(elapsed < Bound);
    }

    [Fact]
    public void A_policy_that_maps_one_uid_to_two_identities_or_an_identity_to_nothing_stops_the_start()
    {
        string twice = WritePolicy("""
            {
              "a": { "local": { "uids": [7] }, "roles": ["writer"] },
              "b": { "local": { "uids": [7] }, "roles": ["writer"] }
            }
            """);
        Assert.Contains(new BrokerOptions { Endpoint = UnixEndpoint, PolicyFile = twice }.Validate(), p => p.Contains("uid 7 is mapped to both 'a' and 'b'"));

        string empty = WritePolicy("""{ "c": { "roles": ["writer"] } }""");
        Assert.Contains(new BrokerOptions { Endpoint = UnixEndpoint, PolicyFile = empty }.Validate(), p => p.Contains("identity 'c' needs a publicKey, a local rule"));

        // With a TCP endpoint open a policy still needs the broker key.
        string fine = WritePolicy("""{ "d": { "local": { "uids": [8] }, "roles": ["writer"] } }""");
        Assert.Empty(new BrokerOptions { Endpoint = UnixEndpoint, PolicyFile = fine }.Validate());
        Assert.Contains(new BrokerOptions { Endpoints = [UnixEndpoint], PolicyFile = fine }.Validate(), p => p.Contains("PolicyFile needs the broker key"));
    }

    /// <summary>The message of an ERROR command, after checking its code.</summary>
    private static string ErrorMessage(ReceivedCommand error, ErrorCode code)
    {
        CommandReader reader = error.Reader();
        reader.ReadUInt();
        Assert.Equal((ulong)code, reader.ReadUInt());
        return reader.ReadString(1024);
    }

    private async Task<InProcessBroker> StartAsync(string me)
    {
        string policy = _policy = WritePolicy($$"""{ "me": {{me}} }""");
        return await InProcessBroker.StartAsync(o =>
        {
            o.Endpoint = UnixEndpoint;
            o.PolicyFile = policy;
            o.PeerTimeout = TimeSpan.FromSeconds(60);
        });
    }

    /// <summary>A policy file with these users and one role, "writer", that may publish and subscribe under allowed.</summary>
    private string WritePolicy(string users)
    {
        string path = Path.Combine(_directory.FullName, $"policy-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            {
              "users": {{users}},
              "roles": { "writer": { "publish": { "allow": ["allowed.>"] }, "subscribe": { "allow": ["allowed.>"] } } }
            }
            """);
        return path;
    }
}
