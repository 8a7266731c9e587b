using Mq.Subjects;

namespace Mq.Broker.Routing;

/// <summary>
/// A token trie of subscription patterns (the NATS "sublist" shape) with its chains compressed: each node holds a
/// run of tokens (<see cref="Node.Label"/>, literal or <c>*</c>) up to where patterns diverge, so a pattern adds at
/// most two nodes whatever its number of tokens, labels are slices of the subscriptions' own pattern strings, and
/// a node has a dictionary of children only when it has several. A match compares a subject's tokens with the runs and follows at most a literal and a
/// <c>*</c> child per branch point, plus the <c>&gt;</c> items found on the way.
/// Owned by the broker's routing thread; not thread-safe.
/// </summary>
internal sealed class SubjectTree<T> where T : class
{
    private readonly Node _root = new(ReadOnlyMemory<char>.Empty);

    public int Count { get; private set; }

    public void Add(string pattern, T item)
    {
        // Labels are slices of the pattern strings the subscriptions hold anyway, so the index adds no copies.
        ReadOnlyMemory<char> body = pattern.AsMemory(0, Split(pattern, out bool tail).Length);
        Node node = _root;
        while (!body.IsEmpty)
        {
            Node? child = node.Child(FirstToken(body.Span));
            if (child is null)
            {
                child = new Node(body);
                node.Attach(child);
                node = child;
                break;
            }

            int common = CommonPrefix(child.Label.Span, body.Span);
            if (common < child.Label.Length)
            {
                // The new pattern leaves this run part way: the shared tokens become a node of their own.
                var shared = new Node(child.Label[..common]);
                child.Label = child.Label[(common + 1)..];
                node.Replace(shared);
                shared.Attach(child);
                child = shared;
            }

            node = child;
            body = common < body.Length ? body[(common + 1)..] : ReadOnlyMemory<char>.Empty;
        }

        if (tail)
        {
            (node.TailItems ??= []).Add(item);
        }
        else
        {
            (node.Items ??= []).Add(item);
        }

        Count++;
    }

    public bool Remove(string pattern, T item)
    {
        ReadOnlySpan<char> body = Split(pattern, out bool tail);
        if (!Remove(_root, body, tail, item))
        {
            return false;
        }

        Count--;
        return true;
    }

    /// <summary>Adds every item whose pattern matches the literal <paramref name="subject"/> to <paramref name="results"/>.</summary>
    public void Match(ReadOnlySpan<char> subject, List<T> results) => Match(_root, subject, results);

    /// <summary>A pattern without its trailing <c>&gt;</c>, and whether it had one.</summary>
    private static ReadOnlySpan<char> Split(string pattern, out bool tail)
    {
        tail = pattern == Subject.TailWildcard || pattern.EndsWith(".>", StringComparison.Ordinal);
        return !tail ? pattern : pattern.AsSpan(0, Math.Max(0, pattern.Length - 2));
    }

    private static ReadOnlySpan<char> FirstToken(ReadOnlySpan<char> tokens)
    {
        int dot = tokens.IndexOf(Subject.Separator);
        return dot < 0 ? tokens : tokens[..dot];
    }

    /// <summary>Characters of <paramref name="label"/> taken by the whole tokens it shares with <paramref name="body"/> from the start.</summary>
    private static int CommonPrefix(ReadOnlySpan<char> label, ReadOnlySpan<char> body)
    {
        int common = 0;
        int start = 0;
        while (true)
        {
            int end = start;
            while (end < label.Length && end < body.Length && label[end] == body[end] && label[end] != Subject.Separator)
            {
                end++;
            }

            bool labelTokenEnds = end == label.Length || label[end] == Subject.Separator;
            bool bodyTokenEnds = end == body.Length || body[end] == Subject.Separator;
            if (!labelTokenEnds || !bodyTokenEnds)
            {
                return common;
            }

            common = end;
            if (end == label.Length || end == body.Length)
            {
                return common;
            }

            start = end + 1;
        }
    }

    /// <summary>The subject's tokens in <paramref name="rest"/> (at least one) follow <paramref name="node"/>'s run, which matched.</summary>
    private static void Match(Node node, ReadOnlySpan<char> rest, List<T> results)
    {
        // '>' needs at least one more token, which rest has.
        if (node.TailItems is not null)
        {
            results.AddRange(node.TailItems);
        }

        int dot = rest.IndexOf(Subject.Separator);
        ReadOnlySpan<char> after = dot < 0 ? [] : rest[(dot + 1)..];
        if (node.Literal(dot < 0 ? rest : rest[..dot]) is { } literal)
        {
            MatchRun(literal, after, dot < 0, results);
        }

        if (node.Star is { } star)
        {
            MatchRun(star, after, dot < 0, results);
        }
    }

    /// <summary>
    /// <paramref name="node"/>'s first token matched the subject's (it was found by it, or is <c>*</c>); walks the
    /// rest of its run against <paramref name="rest"/>, then goes on below it or collects its items.
    /// </summary>
    private static void MatchRun(Node node, ReadOnlySpan<char> rest, bool ended, List<T> results)
    {
        ReadOnlySpan<char> label = node.Label.Span[node.KeyLength..];
        while (!label.IsEmpty)
        {
            // label starts with the separator before its next token.
            if (ended)
            {
                return;
            }

            label = label[1..];
            int labelDot = label.IndexOf(Subject.Separator);
            int restDot = rest.IndexOf(Subject.Separator);
            ReadOnlySpan<char> wanted = labelDot < 0 ? label : label[..labelDot];
            if (!(wanted.Length == 1 && wanted[0] == '*') && !wanted.SequenceEqual(restDot < 0 ? rest : rest[..restDot]))
            {
                return;
            }

            label = labelDot < 0 ? [] : label[labelDot..];
            ended = restDot < 0;
            rest = ended ? [] : rest[(restDot + 1)..];
        }

        if (!ended)
        {
            Match(node, rest, results);
        }
        else if (node.Items is not null)
        {
            results.AddRange(node.Items);
        }
    }

    private static bool Remove(Node node, ReadOnlySpan<char> body, bool tail, T item)
    {
        if (body.IsEmpty)
        {
            List<T>? items = tail ? node.TailItems : node.Items;
            if (items?.Remove(item) != true)
            {
                return false;
            }

            if (items.Count == 0)
            {
                // An emptied list would otherwise stay allocated for as long as the node lives.
                if (tail)
                {
                    node.TailItems = null;
                }
                else
                {
                    node.Items = null;
                }
            }

            return true;
        }

        if (node.Child(FirstToken(body)) is not { } child)
        {
            return false;
        }

        int common = CommonPrefix(child.Label.Span, body);
        if (common < child.Label.Length || !Remove(child, common < body.Length ? body[(common + 1)..] : [], tail, item))
        {
            return false;
        }

        if (child.IsEmpty)
        {
            node.Detach(child);
        }
        else
        {
            child.MergeWithOnlyChild();
        }

        return true;
    }

    private sealed class Node
    {
        private ReadOnlyMemory<char> _label;

        public Node(ReadOnlyMemory<char> label) => Label = label;

        /// <summary>The tokens from the parent to here, dot-separated; empty only at the root.</summary>
        public ReadOnlyMemory<char> Label
        {
            get => _label;
            set
            {
                _label = value;
                KeyLength = FirstToken(value.Span).Length;
            }
        }

        /// <summary>The length of the run's first token, by which the parent finds this node.</summary>
        public int KeyLength { get; private set; }

        /// <summary>Items of the patterns that end here, and of those that end here followed by <c>&gt;</c>.</summary>
        public List<T>? Items, TailItems;

        /// <summary>The child whose run starts with <c>*</c>: every match tries it, so it is kept apart.</summary>
        public Node? Star;

        // Children whose run starts with a literal token: one inline; a dictionary by that token from the second on.
        private Node? _only;
        private Dictionary<string, Node>? _children;

        public bool IsEmpty => Items is null && TailItems is null && Star is null && _only is null && _children is null;

        private ReadOnlySpan<char> Key => _label.Span[..KeyLength];

        private bool IsStar => Key.SequenceEqual(Subject.SingleWildcard);

        public Node? Child(ReadOnlySpan<char> token) => token.SequenceEqual(Subject.SingleWildcard) ? Star : Literal(token);

        public Node? Literal(ReadOnlySpan<char> token)
        {
            if (_only is not null)
            {
                return _only.Key.SequenceEqual(token) ? _only : null;
            }

            return _children is not null && _children.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(token, out Node? child) ? child : null;
        }

        public void Attach(Node child)
        {
            if (child.IsStar)
            {
                Star = child;
                return;
            }

            if (_only is null && _children is null)
            {
                _only = child;
                return;
            }

            if (_only is not null)
            {
                _children = new Dictionary<string, Node>(StringComparer.Ordinal) { [_only.Key.ToString()] = _only };
                _only = null;
            }

            _children!.Add(child.Key.ToString(), child);
        }

        /// <summary>Puts <paramref name="child"/> where the child with the same first token was.</summary>
        public void Replace(Node child)
        {
            if (child.IsStar)
            {
                Star = child;
            }
            else if (_only is not null)
            {
                _only = child;
            }
            else
            {
                _children!.GetAlternateLookup<ReadOnlySpan<char>>()[child.Key] = child;
            }
        }

        public void Detach(Node child)
        {
            if (Star == child)
            {
                Star = null;
                return;
            }

            if (_only == child)
            {
                _only = null;
                return;
            }

            _children!.GetAlternateLookup<ReadOnlySpan<char>>().Remove(child.Key);
            if (_children.Count == 1)
            {
                _only = _children.Values.First();
                _children = null;
            }
        }

        /// <summary>A node left with no items and one child takes the child's place, so chains stay compressed.</summary>
        public void MergeWithOnlyChild()
        {
            if (Items is not null || TailItems is not null || _children is not null || (Star is null) == (_only is null))
            {
                return;
            }

            Node child = Star ?? _only!;
            Label = string.Concat(Label.Span, [Subject.Separator], child.Label.Span).AsMemory();
            Items = child.Items;
            TailItems = child.TailItems;
            Star = child.Star;
            _only = child._only;
            _children = child._children;
        }
    }
}
