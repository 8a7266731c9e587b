using MessagePack;
using Mq.Broker.Streams;
using Mq.Client;
using Mq.Testing;

namespace Mq.IntegrationTests.Streams;

/// <summary>An in-process broker with a store in a temporary folder (deleted with it) and the streams a test asks for.</summary>
internal sealed class StreamBroker : IAsyncDisposable
{
    private readonly List<MqClient> _clients = [];

    private StreamBroker(TestBroker broker, string directory)
    {
        Broker = broker;
        Directory = directory;
    }

    public TestBroker Broker { get; private set; }

    public string Directory { get; }

    /// <summary>The stream <c>orders</c> capturing <c>orders.&gt;</c>, unless <paramref name="configure"/> says otherwise.</summary>
    public static async Task<StreamBroker> StartAsync(Action<TestBrokerOptions>? configure = null, string? directory = null)
    {
        directory ??= System.IO.Directory.CreateTempSubdirectory("mq-streams-").FullName;
        TestBroker broker = await TestBroker.StartAsync(o =>
        {
            o.Broker.StoreDirectory = directory;
            o.Broker.Streams["orders"] = new BrokerStreamOptions { Subjects = ["orders.>"] };
            configure?.Invoke(o);
        });
        return new StreamBroker(broker, directory);
    }

    public async Task<MqClient> ConnectAsync(string name, string? identity = null, Func<MqClientOptions, MqClientOptions>? configure = null)
    {
        MqClientOptions options = Broker.ClientOptions(name, identity);
        MqClient client = await MqClient.ConnectAsync(configure?.Invoke(options) ?? options);
        _clients.Add(client);
        return client;
    }

    /// <summary>Stops the broker (its store closed) and starts another on the same folder and settings.</summary>
    public async Task RestartAsync(Action<TestBrokerOptions>? configure = null)
    {
        foreach (MqClient client in _clients)
        {
            await client.DisposeAsync();
        }

        _clients.Clear();
        await Broker.DisposeAsync();
        Broker = await TestBroker.StartAsync(o =>
        {
            o.Broker.StoreDirectory = Directory;
            o.Broker.Streams["orders"] = new BrokerStreamOptions { Subjects = ["orders.>"] };
            configure?.Invoke(o);
        });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (MqClient client in _clients)
        {
            await client.DisposeAsync();
        }

        await Broker.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>Asks a <c>$SYS.stream.</c> service with a MessagePack map; returns the reply's map.</summary>
    public static async Task<Dictionary<string, object?>> AdminAsync(MqClient client, string service, Dictionary<string, object?> args)
    {
        MqReply reply = await client.RequestAsync(service, MessagePackSerializer.Serialize(args));
        return MessagePackSerializer.Deserialize<Dictionary<string, object?>>(reply.Data);
    }

    public static async Task<long> MessagesAsync(MqClient client, string stream) =>
        Convert.ToInt64((await AdminAsync(client, StreamNames.Info, new() { ["name"] = stream }))["messages"], System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The admin service names, as a peer writes them.</summary>
internal static class StreamNames
{
    public const string Create = "$SYS.stream.create";
    public const string Delete = "$SYS.stream.delete";
    public const string Purge = "$SYS.stream.purge";
    public const string Info = "$SYS.stream.info";
    public const string List = "$SYS.stream.list";
}
