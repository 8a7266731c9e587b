using MessagePack;

namespace Mq.Subscriber.Demo;

/// <summary>The demo stats service's reply. String keys, so requesters can show it as JSON.</summary>
[MessagePackObject(keyAsPropertyName: true)]
public sealed record DemoStats(string Name, long Received, string? LastSubject, IReadOnlyDictionary<string, long> BySubject);
