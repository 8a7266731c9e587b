namespace Mq.Broker.Persistence;

/// <summary>
/// The skip index of a stream that keeps the last <see cref="Depth"/> messages per subject: for each subject, the
/// sequences still current, oldest first. The segment files stay append-only; an older message of a subject is not
/// erased but skipped by readers once <see cref="Depth"/> newer ones exist. The index is not written anywhere: the
/// stream's own records say which messages are newest, so <see cref="AddAll"/> rebuilds it at open. Not thread-safe:
/// its owner (the broker thread) is the only one to use it.
/// </summary>
public sealed class LastValueIndex
{
    private readonly Dictionary<string, Queue<ulong>> _bySubject = new(StringComparer.Ordinal);

    public LastValueIndex(int depth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        Depth = depth;
    }

    /// <summary>How many messages per subject stay current.</summary>
    public int Depth { get; }

    /// <summary>Subjects with at least one current message.</summary>
    public int Subjects => _bySubject.Count;

    /// <summary>
    /// Records a stored message (sequences come in ascending order) and returns the sequence it pushed out of its
    /// subject's depth, or null.
    /// </summary>
    public ulong? Add(string subject, ulong sequence)
    {
        if (!_bySubject.TryGetValue(subject, out Queue<ulong>? kept))
        {
            _bySubject[subject] = kept = new Queue<ulong>(Math.Min(Depth, 4));
        }
        else if (kept.Count > 0 && kept.Last() >= sequence)
        {
            // The same message seen twice (a rebuild overlapping a live append): already counted.
            return null;
        }

        kept.Enqueue(sequence);
        return kept.Count > Depth ? kept.Dequeue() : null;
    }

    /// <summary>
    /// Records a stored message that replaces every kept one of its subject (a roll-up: a key-value purge), so readers
    /// skip all that came before it.
    /// </summary>
    public void Rollup(string subject, ulong sequence)
    {
        if (_bySubject.TryGetValue(subject, out Queue<ulong>? kept) && kept.Count > 0 && kept.Last() >= sequence)
        {
            return;
        }

        _bySubject[subject] = new Queue<ulong>([sequence]);
    }

    /// <summary>Records every message of a batch read in order (rebuilding at open).</summary>
    public void AddAll(IEnumerable<StoredMessage> messages)
    {
        foreach (StoredMessage message in messages)
        {
            Add(message.Subject, message.Sequence);
        }
    }

    /// <summary>Whether <paramref name="sequence"/> is among the last <see cref="Depth"/> of <paramref name="subject"/>.</summary>
    public bool IsKept(string subject, ulong sequence) => _bySubject.TryGetValue(subject, out Queue<ulong>? kept) && kept.Contains(sequence);

    /// <summary>Whether <paramref name="sequence"/> is the newest message of <paramref name="subject"/>.</summary>
    public bool IsLatest(string subject, ulong sequence) => Latest(subject) == sequence;

    /// <summary>The newest sequence of <paramref name="subject"/>, or null if it has none.</summary>
    public ulong? Latest(string subject) => _bySubject.TryGetValue(subject, out Queue<ulong>? kept) && kept.Count > 0 ? kept.Last() : null;

    /// <summary>The kept sequences of <paramref name="subject"/>, oldest first.</summary>
    public IReadOnlyList<ulong> History(string subject) => _bySubject.TryGetValue(subject, out Queue<ulong>? kept) ? [.. kept] : [];

    /// <summary>The subjects <paramref name="match"/> accepts with their newest sequence, in sequence order.</summary>
    public IReadOnlyList<(string Subject, ulong Sequence)> Current(Func<string, bool> match) =>
        [.. _bySubject.Where(p => p.Value.Count > 0 && match(p.Key)).Select(p => (p.Key, p.Value.Last())).OrderBy(p => p.Item2)];

    /// <summary>Forgets everything (the stream was purged).</summary>
    public void Clear() => _bySubject.Clear();
}
