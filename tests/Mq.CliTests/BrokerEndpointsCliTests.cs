using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests;

/// <summary>
/// The broker executable on several endpoints: <c>--endpoint</c> repeated, a Unix socket beside TCP, the socket
/// file removed on SIGTERM, left by a kill and taken over by the next start, and bad endpoints refused in one line.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BrokerEndpointsCliTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mq-cli-unix-");

    private string SocketPath => Path.Combine(_directory.FullName, "broker.sock");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task A_repeated_endpoint_listens_on_tcp_and_a_unix_socket_which_a_kill_leaves_and_the_next_start_takes_over()
    {
        await using (PeerProcess first = PeerProcess.Start("Mq.Broker", ["--endpoint", "tcp://127.0.0.1:0", "--endpoint", "unix://" + SocketPath]))
        {
            string ready = await first.WaitForLineAsync("ready on tcp://127.0.0.1:", BrokerProcess.StartTimeout);
            Assert.EndsWith($" unix://{SocketPath}", ready, StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SocketPath));
            first.Kill();
            await first.WaitForExitAsync(Cli.Timeout);
        }

        Assert.True(File.Exists(SocketPath), "a killed broker cannot remove its socket file");
        await using PeerProcess second = PeerProcess.Start("Mq.Broker", ["--endpoint", "unix://" + SocketPath, "--Broker:UnixSocketMode=0660"]);
        await second.WaitForLineAsync($"ready on unix://{SocketPath}", BrokerProcess.StartTimeout);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(SocketPath));

        await using (PeerProcess third = PeerProcess.Start("Mq.Broker", ["--endpoint", "unix://" + SocketPath]))
        {
            Assert.Equal(2, await third.WaitForExitAsync(Cli.Timeout));
            Assert.Contains($"another process (a broker?) is listening on {SocketPath}", third.StandardError.Single());
        }

        second.Signal();
        Assert.Equal(0, await second.WaitForExitAsync(Cli.Timeout));
        Assert.False(File.Exists(SocketPath), "a broker stopped by SIGTERM left its socket file");
    }

    [Theory]
    [InlineData("unix://broker.sock", "the socket path must be absolute")]
    [InlineData("ipc:///tmp/broker.sock", "unknown scheme 'ipc'")]
    public async Task A_bad_endpoint_stops_the_start_with_one_line_and_exit_code_3(string endpoint, string problem)
    {
        await using PeerProcess broker = PeerProcess.Start("Mq.Broker", ["--endpoint", "tcp://127.0.0.1:0", "--endpoint", endpoint]);
        Assert.Equal(3, await broker.WaitForExitAsync(Cli.Timeout));
        Assert.Contains(problem, broker.StandardError.Single());
    }
}
