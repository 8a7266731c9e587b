using Mq.Subjects;

namespace Mq.Broker.Routing;

/// <summary>
/// All subscriptions of all peers, and a bounded cache from literal subject to <see cref="RouteSet"/>, so the
/// steady state of publishing to known subjects is one dictionary lookup with no allocation.
/// </summary>
internal sealed class SubscriptionIndex
{
    private readonly SubjectTree<BrokerSubscription> _tree = new();
    private readonly Dictionary<string, RouteSet> _cache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RouteSet>.AlternateLookup<ReadOnlySpan<char>> _cacheLookup;
    private readonly List<BrokerSubscription> _scratch = [];
    private readonly Dictionary<string, GroupRotation> _rotations = new(StringComparer.Ordinal);
    private readonly int _cacheLimit;

    public SubscriptionIndex(int cacheLimit = 4096)
    {
        _cacheLimit = cacheLimit;
        _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _tree.Count;

    public void Add(BrokerSubscription subscription)
    {
        _tree.Add(subscription.Pattern, subscription);
        if (subscription.Group is { } group)
        {
            if (!_rotations.TryGetValue(group, out GroupRotation? rotation))
            {
                rotation = new GroupRotation();
                _rotations.Add(group, rotation);
            }

            rotation.Subscriptions++;
        }

        _cache.Clear();
    }

    public void Remove(BrokerSubscription subscription)
    {
        if (_tree.Remove(subscription.Pattern, subscription))
        {
            if (subscription.Group is { } group && _rotations.TryGetValue(group, out GroupRotation? rotation) && --rotation.Subscriptions == 0)
            {
                _rotations.Remove(group);
            }

            _cache.Clear();
        }
    }

    /// <summary>The routes for a literal subject, or null with <paramref name="error"/> set if the subject is invalid.</summary>
    public RouteSet? Lookup(ReadOnlySpan<char> subject, out string? error)
    {
        error = null;
        if (_cacheLookup.TryGetValue(subject, out RouteSet? cached))
        {
            return cached;
        }

        // Only valid subjects enter the cache, so a hit above needs no validation.
        error = Subject.Validate(subject, SubjectKind.Publish);
        if (error is not null)
        {
            return null;
        }

        _scratch.Clear();
        _tree.Match(subject, _scratch);
        RouteSet routes = RouteSet.Build(_scratch, group => _rotations[group]);
        if (_cache.Count >= _cacheLimit)
        {
            _cache.Clear();
        }

        _cacheLookup[subject] = routes;
        return routes;
    }
}
