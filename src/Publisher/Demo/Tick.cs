using MessagePack;

namespace Mq.Publisher.Demo;

/// <summary>What the demo publisher publishes. String keys, so it reads well as JSON in any subscriber.</summary>
[MessagePackObject(keyAsPropertyName: true)]
public sealed record Tick(long Seq, string At, string From);
