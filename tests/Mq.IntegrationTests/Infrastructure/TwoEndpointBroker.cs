using Mq.Testing;
using Mq.TestSupport;

namespace Mq.IntegrationTests.Infrastructure;

/// <summary>
/// A broker process listening on a free TCP port and on a Unix socket in a fresh temporary directory, so that a test
/// can run the same bytes over either (<see cref="Of"/>) while it watches a peer on the other.
/// </summary>
public sealed class TwoEndpointBroker : IAsyncDisposable
{
    private readonly DirectoryInfo _directory;

    private TwoEndpointBroker(PeerProcess broker, string tcp, DirectoryInfo directory)
    {
        Broker = broker;
        Tcp = tcp;
        _directory = directory;
    }

    public PeerProcess Broker { get; }

    public string Tcp { get; }

    public string SocketPath => Path.Combine(_directory.FullName, "broker.sock");

    public string Unix => "unix://" + SocketPath;

    /// <summary>The endpoint of <paramref name="transport"/>: "tcp" or "unix".</summary>
    public string Of(string transport) => transport == "unix" ? Unix : Tcp;

    public static async Task<TwoEndpointBroker> StartAsync(params string[] extraArguments)
    {
        DirectoryInfo directory = Directory.CreateTempSubdirectory("mq-two-");
        string unix = "unix://" + Path.Combine(directory.FullName, "broker.sock");
        try
        {
            (PeerProcess broker, string tcp) = await BrokerProcess.StartAsync("tcp://127.0.0.1:0", ["--endpoint", unix, .. extraArguments]);
            return new TwoEndpointBroker(broker, tcp, directory);
        }
        catch
        {
            directory.Delete(recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Broker.DisposeAsync();
        _directory.Delete(recursive: true);
    }
}
