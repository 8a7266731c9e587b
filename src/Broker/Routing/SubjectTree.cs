using Mq.Subjects;

namespace Mq.Broker.Routing;

/// <summary>
/// A token trie of subscription patterns (the NATS "sublist" shape): literal tokens are children by name,
/// <c>*</c> and <c>&gt;</c> are dedicated children, so a match walks at most three branches per token.
/// Owned by the broker's routing thread; not thread-safe.
/// </summary>
internal sealed class SubjectTree<T> where T : class
{
    private readonly Node _root = new();

    public int Count { get; private set; }

    public void Add(string pattern, T item)
    {
        Node node = _root;
        foreach (Range range in pattern.AsSpan().Split(Subject.Separator))
        {
            string token = pattern[range];
            node = token switch
            {
                Subject.SingleWildcard => node.Star ??= new Node(),
                Subject.TailWildcard => node.Tail ??= new Node(),
                _ => GetOrAddChild(node, token),
            };
        }

        node.Items.Add(item);
        Count++;
    }

    public bool Remove(string pattern, T item)
    {
        if (!Remove(_root, pattern.AsSpan(), item))
        {
            return false;
        }

        Count--;
        return true;
    }

    /// <summary>Adds every item whose pattern matches the literal <paramref name="subject"/> to <paramref name="results"/>.</summary>
    public void Match(ReadOnlySpan<char> subject, List<T> results) => Match(_root, subject, results);

    private static Node GetOrAddChild(Node node, string token)
    {
        node.Children ??= new Dictionary<string, Node>(StringComparer.Ordinal);
        if (!node.Children.TryGetValue(token, out Node? child))
        {
            child = new Node();
            node.Children.Add(token, child);
        }

        return child;
    }

    private static void Match(Node node, ReadOnlySpan<char> rest, List<T> results)
    {
        int dot = rest.IndexOf(Subject.Separator);
        ReadOnlySpan<char> token = dot < 0 ? rest : rest[..dot];
        ReadOnlySpan<char> after = dot < 0 ? [] : rest[(dot + 1)..];
        bool last = dot < 0;

        // '>' needs at least one token, which 'token' is.
        if (node.Tail is not null)
        {
            results.AddRange(node.Tail.Items);
        }

        if (node.Star is not null)
        {
            Descend(node.Star, after, last, results);
        }

        if (node.Children is not null &&
            node.Children.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(token, out Node? child))
        {
            Descend(child, after, last, results);
        }
    }

    private static void Descend(Node child, ReadOnlySpan<char> after, bool last, List<T> results)
    {
        if (last)
        {
            results.AddRange(child.Items);
        }
        else
        {
            Match(child, after, results);
        }
    }

    private static bool Remove(Node node, ReadOnlySpan<char> rest, T item)
    {
        if (rest.IsEmpty)
        {
            return node.Items.Remove(item);
        }

        int dot = rest.IndexOf(Subject.Separator);
        ReadOnlySpan<char> token = dot < 0 ? rest : rest[..dot];
        ReadOnlySpan<char> after = dot < 0 ? [] : rest[(dot + 1)..];

        if (token.SequenceEqual(Subject.SingleWildcard))
        {
            bool removed = node.Star is not null && Remove(node.Star, after, item);
            if (removed && node.Star!.IsEmpty)
            {
                node.Star = null;
            }

            return removed;
        }

        if (token.SequenceEqual(Subject.TailWildcard))
        {
            bool removed = node.Tail is not null && Remove(node.Tail, after, item);
            if (removed && node.Tail!.IsEmpty)
            {
                node.Tail = null;
            }

            return removed;
        }

        var lookup = node.Children?.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup is null || !lookup.Value.TryGetValue(token, out Node? child) || !Remove(child, after, item))
        {
            return false;
        }

        if (child.IsEmpty)
        {
            lookup.Value.Remove(token);
        }

        return true;
    }

    private sealed class Node
    {
        public Dictionary<string, Node>? Children;
        public Node? Star;
        public Node? Tail;
        public readonly List<T> Items = [];

        public bool IsEmpty => Items.Count == 0 && Star is null && Tail is null && (Children is null || Children.Count == 0);
    }
}
