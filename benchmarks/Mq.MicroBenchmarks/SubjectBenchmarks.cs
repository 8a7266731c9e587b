using BenchmarkDotNet.Attributes;
using Mq.Broker.Routing;
using Mq.Broker.Sessions;
using Mq.Subjects;

namespace Mq.MicroBenchmarks;

/// <summary>
/// Subject matching as the broker does it per publish: validation, the wildcard tree walk on a cache miss,
/// and the cached lookup that every publish to a known subject pays.
/// </summary>
[MemoryDiagnoser]
public class SubjectBenchmarks
{
    private const string Published = "orders.eu.created";

    private readonly SubjectTree<string> _tree = new();
    private readonly List<string> _matches = [];
    private readonly SubscriptionIndex _index = new();

    [GlobalSetup]
    public void Setup()
    {
        // 1,000 subscriptions of which a handful match, as in a broker with many unrelated subscribers.
        for (int i = 0; i < 1_000; i++)
        {
            _tree.Add($"region{i}.*.created", $"s{i}");
        }

        _tree.Add("orders.*.created", "star");
        _tree.Add("orders.>", "tail");
        _tree.Add(Published, "literal");

        var session = new PeerSession(1, 0);
        _index.Add(new BrokerSubscription(session, 1, "orders.*.created", null));
        _index.Add(new BrokerSubscription(session, 2, "orders.>", null));
        _index.Lookup(Published, out _);
    }

    [Benchmark]
    public bool MatchesWildcardPattern() => Subject.Matches("orders.*.created", Published);

    [Benchmark]
    public string? ValidatePublishSubject() => Subject.Validate(Published.AsSpan(), SubjectKind.Publish);

    [Benchmark]
    public int TreeMatchAmong1000()
    {
        _matches.Clear();
        _tree.Match(Published, _matches);
        return _matches.Count;
    }

    [Benchmark]
    public object? IndexLookupCached() => _index.Lookup(Published, out _);
}
