using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests;

/// <summary>
/// A damaged, missing or wrong-kind key file given to a command-line peer is one line on stderr naming the file
/// and the problem, and the usage exit code, before any connection is tried: never a stack trace.
/// </summary>
public sealed class KeyFileCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mq-keyfiles-").FullName;

    public KeyFileCliTests()
    {
        File.WriteAllText(Path.Combine(_directory, "garbage.key"), "not a key\n");
        File.WriteAllText(Path.Combine(_directory, "truncated.key"), "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n");
        File.WriteAllText(Path.Combine(_directory, "short.pub"), "# Mq CURVE public key (z85)\ntooshort\n");
        Directory.CreateDirectory(Path.Combine(_directory, "a-directory"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("Mq.Publisher", "--identity-key", "garbage.key", "does not hold a PEM ECDSA private key")]
    [InlineData("Mq.Subscriber", "--identity-key", "truncated.key", "does not hold a PEM ECDSA private key")]
    [InlineData("Mq.Publisher", "--identity-key", "a-directory", "it is a directory")]
    [InlineData("Mq.Subscriber", "--identity-key", "missing.key", "cannot read identity key file")]
    [InlineData("Mq.Publisher", "--broker-key", "@short.pub", "must be 40 z85 characters")]
    [InlineData("Mq.Subscriber", "--broker-key", "@a-directory", "it is a directory")]
    [InlineData("Mq.Publisher", "--broker-key", "@missing.pub", "cannot read key file")]
    public async Task A_bad_key_file_is_one_line_naming_it_and_exit_1(string cli, string option, string file, string problem)
    {
        string path = Path.Combine(_directory, file.TrimStart('@'));
        string value = file.StartsWith('@') ? "@" + path : path;
        string[] identity = option == "--identity-key" ? ["--identity", "guest"] : [];
        string[] command = cli == "Mq.Publisher" ? ["--topic", "public.news", "--message", "x"] : ["--topic", "public.>"];

        // Nothing listens there: the key must be refused before the peer tries to connect.
        await using PeerProcess peer = PeerProcess.Start(cli, [.. command, .. identity, option, value, "--broker", Cli.UnusedEndpoint()]);

        Assert.Equal(1, await peer.WaitForExitAsync(Cli.Timeout));
        string line = Assert.Single(peer.StandardError);
        Assert.StartsWith("error: ", line);
        Assert.Contains($"'{path}'", line);
        Assert.Contains(problem, line);
        Assert.Empty(peer.StandardOutput);
    }
}
