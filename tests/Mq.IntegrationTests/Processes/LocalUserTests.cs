using Mq.IntegrationTests.Infrastructure;
using Mq.Testing;
using Mq.TestSupport;
using Xunit.Abstractions;

namespace Mq.IntegrationTests.Processes;

/// <summary>
/// OS users against a broker process on a Unix socket: with the default mode another user cannot even connect; with
/// the socket open to all (0666), the policy maps root to an identity and refuses nobody, a process of another user,
/// at HELLO; root's peer, a Python peer over ipc://, gets in without a key. Runs as root, with setpriv.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LocalUserTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mq-users-");

    private string SocketPath => Path.Combine(_directory.FullName, "broker.sock");

    public void Dispose() => _directory.Delete(recursive: true);

    [OtherUserFact]
    public async Task Another_user_cannot_connect_through_the_default_mode_and_is_refused_by_the_policy_when_the_mode_lets_it()
    {
        // nobody must be able to reach the socket in its directory at all: only the file's mode keeps it out.
        File.SetUnixFileMode(_directory.FullName, (UnixFileMode)0x1ED /* 0755 */);
        string policy = Path.Combine(_directory.FullName, "policy.json");
        await File.WriteAllTextAsync(policy, """
            {
              "users": { "operator": { "local": { "uids": [0] }, "roles": ["all"] } },
              "roles": { "all": { "publish": { "allow": [">"] }, "subscribe": { "allow": [">"] } } }
            }
            """);

        (PeerProcess owner, _) = await BrokerProcess.StartAsync("unix://" + SocketPath, "--Broker:PolicyFile=" + policy);
        await using (owner)
        {
            ExternalCommand.Result denied = await ExternalCommand.RunAsync(OtherUserFactAttribute.Setpriv,
                OtherUserFactAttribute.AsNobody("-c", "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])", SocketPath), TimeSpan.FromSeconds(30));
            output.WriteLine($"nobody connecting through mode 0600: exit {denied.ExitCode}: {denied.Output}");
            Assert.NotEqual(0, denied.ExitCode);
            Assert.Contains("Permission denied", denied.Output);
        }

        (PeerProcess open, _) = await BrokerProcess.StartAsync("unix://" + SocketPath, "--Broker:PolicyFile=" + policy, "--Broker:UnixSocketMode=0666");
        await using (open)
        {
            ExternalCommand.Result refused = await ExternalCommand.RunAsync(OtherUserFactAttribute.Setpriv,
                OtherUserFactAttribute.AsNobody(Script, "ipc://" + SocketPath), TimeSpan.FromSeconds(30));
            output.WriteLine($"nobody as a peer: exit {refused.ExitCode}: {refused.Output}");
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains($"local peer pid", refused.Output);
            Assert.Contains($"uid {OtherUserFactAttribute.Nobody}", refused.Output);
            Assert.Contains("is mapped to no identity of the policy", refused.Output);

            ExternalCommand.Result root = await ExternalCommand.RunAsync(PythonFactAttribute.Python, [Script, "ipc://" + SocketPath], TimeSpan.FromSeconds(30));
            output.WriteLine($"root as a peer: exit {root.ExitCode}: {root.Output}");
            Assert.Contains("ok: MSG seq=1 subject=py.test", root.Output);
            await open.WaitForLineAsync("identity operator", TimeSpan.FromSeconds(5));
        }
    }

    [OtherUserFact]
    public async Task A_supplementary_group_maps_a_process_of_another_user_by_gid_and_by_name()
    {
        File.SetUnixFileMode(_directory.FullName, (UnixFileMode)0x1ED /* 0755 */);
        string policy = Path.Combine(_directory.FullName, "policy.json");
        // Debian's group "users" is gid 100; 4242 names no group, so only its gid can match.
        await File.WriteAllTextAsync(policy, """
            {
              "users": {
                "staff":  { "local": { "gids": [4242] }, "roles": ["all"] },
                "member": { "local": { "groups": ["users"] }, "roles": ["all"] }
              },
              "roles": { "all": { "publish": { "allow": [">"] }, "subscribe": { "allow": [">"] } } }
            }
            """);

        (PeerProcess broker, _) = await BrokerProcess.StartAsync("unix://" + SocketPath, "--Broker:PolicyFile=" + policy, "--Broker:UnixSocketMode=0666");
        await using (broker)
        {
            foreach ((uint group, string identity) in new[] { (4242u, "staff"), (100u, "member") })
            {
                ExternalCommand.Result member = await ExternalCommand.RunAsync(OtherUserFactAttribute.Setpriv,
                    OtherUserFactAttribute.AsNobodyInGroups([group], Script, "ipc://" + SocketPath), TimeSpan.FromSeconds(30));
                output.WriteLine($"nobody in group {group}: exit {member.ExitCode}: {member.Output}");
                Assert.Contains("ok: MSG seq=1 subject=py.test", member.Output);
                await broker.WaitForLineAsync($"identity {identity}", TimeSpan.FromSeconds(5));
            }

            ExternalCommand.Result outsider = await ExternalCommand.RunAsync(OtherUserFactAttribute.Setpriv,
                OtherUserFactAttribute.AsNobody(Script, "ipc://" + SocketPath), TimeSpan.FromSeconds(30));
            output.WriteLine($"nobody in no group: exit {outsider.ExitCode}: {outsider.Output}");
            Assert.Equal(1, outsider.ExitCode);
            Assert.Contains("is mapped to no identity of the policy", outsider.Output);
        }
    }

    private static string Script => Path.Combine(RepositoryRoot.Path, "tests", "python", "plain_peer.py");
}
