using Mq.Broker.Persistence;
using Mq.Broker.Routing;
using Mq.Subjects;

namespace Mq.Broker.Streams;

/// <summary>One stream as the broker thread sees it: its store, what it has confirmed, appends in flight, ids seen, consumers.</summary>
internal sealed class BrokerStream(StreamHost host, string name, BrokerStreamOptions options, IStreamStore store)
{
    public StreamHost Host { get; } = host;

    public string Name { get; } = name;

    public BrokerStreamOptions Options { get; } = options;

    public IStreamStore Store { get; } = store;

    /// <summary>The last sequence the store confirmed to the broker thread: consumers get nothing beyond it.</summary>
    public ulong Committed { get; set; } = store.State.LastSequence;

    /// <summary>Appends in the order they were handed to the store.</summary>
    public Queue<PendingAppend> Pending { get; } = new();

    /// <summary>Bytes of <see cref="Pending"/>: bounded, so a store slower than its publishers cannot fill the broker's memory.</summary>
    public long PendingBytes { get; set; }

    /// <summary>Message ids of appends in flight, so a repeat waits for the original's sequence instead of being stored too.</summary>
    public Dictionary<string, PendingAppend> PendingIds { get; } = new(StringComparer.Ordinal);

    public DuplicateTable Duplicates { get; } = new(options.DuplicateWindow);

    /// <summary>Set for a stream keeping the last messages per subject: which are current, so readers skip the rest.</summary>
    public LastValueIndex? LastValues { get; } = options.MaxPerSubject is { } depth ? new LastValueIndex(depth) : null;

    /// <summary>Appends in flight per subject, for a stream keeping last values: a compare-and-set waits for none.</summary>
    public Dictionary<string, int> PendingSubjects { get; } = new(StringComparer.Ordinal);

    public List<BrokerSubscription> Consumers { get; } = [];

    /// <summary>Durable consumers known since the broker started, by name; their floors live in <see cref="IStreamStore.Consumers"/>.</summary>
    public Dictionary<string, DurableConsumer> Durables { get; } = new(StringComparer.Ordinal);

    public long Stored { get; set; }

    public long Duplicated { get; set; }

    public long Refused { get; set; }

    /// <summary>Messages its durable consumers gave up on, published to their dead-letter subjects.</summary>
    public long DeadLettered { get; set; }

    /// <summary>Set once deleted: appends and reads still in flight finish without touching anything.</summary>
    public bool Deleted { get; set; }

    public bool Captures(ReadOnlySpan<char> subject)
    {
        foreach (string pattern in Options.Subjects)
        {
            if (Subject.Matches(pattern, subject))
            {
                return true;
            }
        }

        return false;
    }
}
