using MessagePack;
using Mq.Broker.Server;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;
using Mq.TestSupport;

namespace Mq.IntegrationTests.Unix;

/// <summary>
/// The broker on a Unix socket endpoint beside its TCP one: the same ZMTP bytes and Mq commands over the socket
/// file, peers shown by their kernel credentials, and the file's life: its mode, a stale one replaced, a live one refused.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UnixEndpointTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mq-unix-");

    private string SocketPath => Path.Combine(_directory.FullName, "broker.sock");

    private string UnixEndpoint => "unix://" + SocketPath;

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task A_raw_zmtp_peer_on_the_unix_socket_and_a_tcp_client_exchange_messages_both_ways()
    {
        await using InProcessBroker broker = await StartAsync();
        Assert.Equal([broker.Endpoint, UnixEndpoint], broker.Server.Endpoints);
        Assert.StartsWith("tcp://127.0.0.1:", broker.Server.Endpoint);
        MqClient tcp = await broker.ConnectAsync("tcp-peer");
        await using MqSubscription fromUnix = await tcp.SubscribeAsync("from.unix");

        using RawZmtp unix = await RawZmtp.ConnectAsync(UnixEndpoint);
        Assert.Equal(CommandCode.Welcome, (await unix.HelloAsync("unix-peer", Bound)).Code);
        await unix.SendMqAsync((ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 1, 1, "from.tcp", null));
        await unix.ExpectAsync(CommandCode.Ok, Bound);

        await tcp.PublishAsync("from.tcp", new byte[] { 1, 2, 3 });
        CommandReader msg = (await unix.ExpectAsync(CommandCode.Msg, Bound)).Reader();
        Assert.Equal(1UL, msg.ReadUInt());
        Assert.Equal(1UL, msg.ReadUInt());
        Assert.Equal("from.tcp", msg.ReadString(256));

        await unix.SendMqAsync((ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "from.unix", null, [4, 5]));
        MqMessage received = Assert.Single(await fromUnix.TakeAsync(1, Bound));
        Assert.Equal(new byte[] { 4, 5 }, received.Data.ToArray());
    }

    [Fact]
    public async Task Peers_and_info_show_the_unix_peer_by_its_kernel_credentials_and_every_endpoint()
    {
        await using InProcessBroker broker = await StartAsync();
        using RawZmtp unix = await RawZmtp.ConnectAsync(UnixEndpoint);
        Assert.Equal(CommandCode.Welcome, (await unix.HelloAsync("local-one", Bound)).Code);
        MqClient tcp = await broker.ConnectAsync("asker");

        MqReply peers = await tcp.RequestAsync("$SYS.peers", ReadOnlyMemory<byte>.Empty);
        var entries = ((object[])peers.Deserialize<Dictionary<string, object?>>()["peers"]!).Cast<Dictionary<object, object?>>().ToList();
        (uint uid, uint gid) = Mq.Broker.Transport.UnixAccounts.Current;
        Assert.Equal($"unix:pid={Environment.ProcessId},uid={uid},gid={gid}", entries.Single(p => (string?)p["name"] == "local-one")["address"]);
        Assert.Equal("127.0.0.1", entries.Single(p => (string?)p["name"] == "asker")["address"]);

        MqReply info = await tcp.RequestAsync("$SYS.info", ReadOnlyMemory<byte>.Empty);
        object[] endpoints = (object[])info.Deserialize<Dictionary<string, object?>>()["endpoints"]!;
        Assert.Equal([broker.Endpoint, UnixEndpoint], endpoints.Cast<string>());
    }

    [Fact]
    public async Task The_socket_file_is_owner_only_by_default_takes_a_configured_mode_and_goes_when_the_broker_stops()
    {
        InProcessBroker broker = await StartAsync();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SocketPath));
        await broker.DisposeAsync();
        Assert.False(File.Exists(SocketPath), "the socket file outlived the broker");

        await using InProcessBroker shared = await StartAsync(o => o.UnixSocketMode = "0660");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(SocketPath));
    }

    [Fact]
    public async Task The_socket_file_takes_the_configured_group_and_an_unknown_group_stops_the_start()
    {
        string group = Mq.Broker.Transport.UnixAccounts.GroupName(Mq.Broker.Transport.UnixAccounts.Current.Gid)!;
        await using (InProcessBroker broker = await StartAsync(o => (o.UnixSocketMode, o.UnixSocketGroup) = ("0660", group)))
        {
            ExternalCommand.Result stat = await ExternalCommand.RunAsync("/usr/bin/stat", ["-c", "%G %a", SocketPath], Bound);
            Assert.Equal($"{group} 660", stat.Output.Trim());
        }

        BrokerBindException unknown = await Assert.ThrowsAsync<BrokerBindException>(() => StartAsync(o => o.UnixSocketGroup = "no-such-group-mq"));
        Assert.Contains("UnixSocketGroup 'no-such-group-mq' is not a group of this system", unknown.Message);
        Assert.False(File.Exists(SocketPath), "a refused start left a socket file");
    }

    [Fact]
    public async Task A_stale_socket_file_left_by_a_dead_listener_is_replaced()
    {
        // .NET deletes the file of a socket it bound when the socket is disposed; a process that dies does not.
        ExternalCommand.Result dead = await ExternalCommand.RunAsync(
            PythonFactAttribute.Python, ["-c", "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)", SocketPath], Bound);
        Assert.True(dead.ExitCode == 0, dead.Output);
        Assert.True(File.Exists(SocketPath), "a dead listener leaves its file: the stale case");
        await using InProcessBroker broker = await StartAsync();
        using RawZmtp unix = await RawZmtp.ConnectAsync(UnixEndpoint);
        Assert.Equal(CommandCode.Welcome, (await unix.HelloAsync("after-stale", Bound)).Code);
    }

    [Fact]
    public async Task A_live_socket_file_is_refused_naming_the_path_and_a_file_that_is_no_socket_is_left_alone()
    {
        await using (InProcessBroker first = await StartAsync())
        {
            BrokerBindException live = await Assert.ThrowsAsync<BrokerBindException>(() => StartAsync());
            Assert.Contains($"another process (a broker?) is listening on {SocketPath}", live.ToString());
            using RawZmtp unix = await RawZmtp.ConnectAsync(UnixEndpoint);
            Assert.Equal(CommandCode.Welcome, (await unix.HelloAsync("still-first", Bound)).Code);
        }

        await File.WriteAllTextAsync(SocketPath, "not a socket");
        BrokerBindException ordinary = await Assert.ThrowsAsync<BrokerBindException>(() => StartAsync());
        Assert.Contains("exists and is not a socket", ordinary.ToString());
        Assert.Equal("not a socket", await File.ReadAllTextAsync(SocketPath));
    }

    private Task<InProcessBroker> StartAsync(Action<BrokerOptions>? configure = null) => InProcessBroker.StartAsync(o =>
    {
        o.Endpoints = [UnixEndpoint];
        // Raw peers send no heartbeats: a loaded machine must not expire them mid-test.
        o.PeerTimeout = TimeSpan.FromSeconds(60);
        configure?.Invoke(o);
    });
}
