using BenchmarkDotNet.Attributes;
using MessagePack;
using Mq.Client;
using Mq.Rpc;
using Mq.Serialization;

namespace Mq.MicroBenchmarks.Rpc;

/// <summary>
/// The generated dispatcher serving one call, from the request's argument array to the reply payload, without a
/// socket: what it allocates beyond the argument (the string, the echoed bytes) and the result's payload.
/// </summary>
[MemoryDiagnoser]
public class DispatcherBenchmarks
{
    private MqObjectHost<IMicroInventory> _host = null!;
    private Func<MqObjectHost<IMicroInventory>, MqRequest, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> _count = null!;
    private Func<MqObjectHost<IMicroInventory>, MqRequest, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> _echo = null!;
    private MqRequest _countRequest = null!;
    private MqRequest _echoRequest = null!;

    [GlobalSetup]
    public void Setup()
    {
        MessagePackSerializerOptions options = MqClientOptions.Default.SerializerOptions;
        var target = new MicroInventory();
        _host = new MqObjectHost<IMicroInventory>(() => new MqObjectLease<IMicroInventory>(target, null), options);
        MqContract<IMicroInventory> contract = MqContracts.Get<IMicroInventory>();
        _count = contract.Methods.Single(m => m.Method.Service == "micro.inventory.Count").Handle;
        _echo = contract.Methods.Single(m => m.Method.Service == "micro.inventory.Echo").Handle;
        var serializers = new SerializerRegistry(null, null, options);
        _countRequest = Request("micro.inventory.Count", MessagePackSerializer.Serialize<object[]>(["sku-12345"], options), serializers);
        _echoRequest = Request("micro.inventory.Echo", MessagePackSerializer.Serialize<object[]>([new byte[128]], options), serializers);
    }

    [Benchmark(Baseline = true)]
    public async ValueTask<int> Count() => (await _count(_host, _countRequest, CancellationToken.None)).Length;

    [Benchmark]
    public async ValueTask<int> Echo128() => (await _echo(_host, _echoRequest, CancellationToken.None)).Length;

    private static MqRequest Request(string service, byte[] arguments, SerializerRegistry serializers) =>
        new(1, service, null, arguments, TimeSpan.FromSeconds(5), 0, serializers);
}
