using MessagePack;

namespace Mq.IntegrationTests.Rpc;

/// <summary>A declared fault's detail.</summary>
[MessagePackObject]
public sealed record OutOfStock([property: Key(0)] string Sku, [property: Key(1)] int Available);
